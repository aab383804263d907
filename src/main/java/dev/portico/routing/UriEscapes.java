package dev.portico.routing;

import dev.portico.bytes.ByteStrings;
import java.nio.charset.StandardCharsets;

/**
 * The two URI transformations nginx applies to rewrite results: escaping a regex capture that
 * goes into arguments (or into a redirect), and the partial unescaping of a redirect target,
 * which decodes only characters that are safe to show literally in the path.
 */
final class UriEscapes {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private UriEscapes() {
    }

    /** Escapes space, "#", "%", "&", "+", ";", "?", controls and non-ASCII bytes (nginx's NGX_ESCAPE_ARGS). */
    static String escapeArgs(String s) {
        byte[] bytes = ByteStrings.bytes(s);
        StringBuilder b = null;
        for (int i = 0; i < bytes.length; i++) {
            int c = bytes[i] & 0xff;
            boolean escape = c <= 0x20 || c >= 0x7f || c == '#' || c == '%' || c == '&' || c == '+' || c == ';' || c == '?';
            if (escape && b == null) {
                b = new StringBuilder(bytes.length + 16);
                b.append(ByteStrings.of(java.util.Arrays.copyOf(bytes, i)));
            }
            if (b != null) {
                if (escape) {
                    b.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
                } else {
                    b.append((char) c);
                }
            }
        }
        return b == null ? s : b.toString();
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

    /**
     * Makes a redirect target safe to send as the Location field: control characters and spaces
     * are percent-encoded, as are characters beyond U+00FF (as UTF-8). nginx sends them raw,
     * which lets a {@code $uri} holding a decoded CR LF split the response.
     */
    static String forLocation(String s) {
        int i = 0;
        while (i < s.length() && safeInLocation(s.charAt(i))) {
            i++;
        }
        if (i == s.length()) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length() + 16).append(s, 0, i);
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            if (safeInLocation(c)) {
                b.append(c);
            } else if (c <= 0xff) {
                b.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            } else {
                int end = Character.isHighSurrogate(c) && i + 1 < s.length() ? i + 2 : i + 1;
                for (byte x : s.substring(i, end).getBytes(StandardCharsets.UTF_8)) {
                    b.append('%').append(HEX[(x >> 4) & 0xf]).append(HEX[x & 0xf]);
                }
                i = end - 1;
            }
        }
        return b.toString();
    }

    private static boolean safeInLocation(char c) {
        return c > 0x20 && c != 0x7f && c <= 0xff;
    }
}
