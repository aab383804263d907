package dev.portico.routing;


/**
 * The partial unescaping nginx applies to a rewrite's redirect target: only characters that are
 * safe to show literally in the path are decoded. (Escaping is {@link dev.portico.http.UriEscape}.)
 */
final class UriEscapes {
    private UriEscapes() {
    }

    /**
     * Decodes {@code %XX} before the first "?" when the byte is a printable character after
     * "%" (nginx's NGX_UNESCAPE_REDIRECT); everything else stays escaped.
     */
    static String unescapeRedirect(String s) {
        int q = s.indexOf('?');
        int end = q < 0 ? s.length() : q;
        if (s.lastIndexOf('%', end) < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length());
        int i = 0;
        while (i < end) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < end) {
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi >= 0 && lo >= 0) {
                    int v = hi * 16 + lo;
                    if (v > '%' && v < 0x7f) {
                        b.append((char) v);
                    } else {
                        b.append(s, i, i + 3);
                    }
                    i += 3;
                    continue;
                }
            }
            b.append(c);
            i++;
        }
        return b.append(s, end, s.length()).toString();
    }
}
