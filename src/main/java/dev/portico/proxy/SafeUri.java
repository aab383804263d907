package dev.portico.proxy;

/**
 * nginx's ngx_http_parse_unsafe_uri for a URI a backend names ({@code X-Accel-Redirect}): the
 * arguments are split at the first {@code ?}, the path is percent-decoded as ngx_unescape_uri
 * does (a {@code %} not followed by two hex digits is dropped with what follows it up to the
 * first bad digit), and it is unsafe when it is empty, holds a NUL, or has a {@code ..}
 * segment at its start or after a slash, before or after decoding.
 */
final class SafeUri {
    private SafeUri() {
    }

    /**
     * {path, args} ("" when there are none); for an unsafe URI {null, the path as far as it was
     * decoded}, for the error log. Byte strings, one char per byte.
     */
    static String[] parse(String target) {
        if (target.isEmpty() || target.charAt(0) == '?') {
            return new String[] {null, target};
        }
        int q = target.indexOf('?');
        String path = q < 0 ? target : target.substring(0, q);
        String args = q < 0 ? "" : target.substring(q + 1);
        if (!safe(path)) {
            return new String[] {null, path};
        }
        if (path.indexOf('%') >= 0) {
            path = unescape(path);
            if (path.isEmpty() || !safe(path)) {
                return new String[] {null, path};
            }
        }
        return new String[] {path, args};
    }

    private static boolean safe(String p) {
        if (dotDotAt(p, 0)) {
            return false;
        }
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c == '\0' || c == '/' && dotDotAt(p, i + 1)) {
                return false;
            }
        }
        return true;
    }

    /** ".." at {@code i}, ending the string or followed by a slash. */
    private static boolean dotDotAt(String p, int i) {
        return i + 1 < p.length() && p.charAt(i) == '.' && p.charAt(i + 1) == '.'
            && (i + 2 == p.length() || p.charAt(i + 2) == '/');
    }

    private static String unescape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '%') {
                b.append(c);
                continue;
            }
            int hi = i + 1 < s.length() ? hex(s.charAt(i + 1)) : -1;
            if (hi < 0) {
                // "%x" with x not hex: the '%' goes, x stays
                if (i + 1 < s.length()) {
                    b.append(s.charAt(i + 1));
                }
                i++;
                continue;
            }
            int lo = i + 2 < s.length() ? hex(s.charAt(i + 2)) : -1;
            if (lo >= 0) {
                b.append((char) (hi * 16 + lo));
            }
            // "%Hx" with x not hex: all three go
            i += 2;
        }
        return b.toString();
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        char l = (char) (c | 0x20);
        return l >= 'a' && l <= 'f' ? l - 'a' + 10 : -1;
    }
}
