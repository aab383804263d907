package dev.portico.staticfiles;

import dev.portico.bytes.ByteStrings;

/**
 * Percent-encoding of a decoded path for a Location header or a link (RFC 3986 section 2.1),
 * with nginx's two character sets: a whole path keeps its reserved characters, a path segment
 * keeps only the unreserved ones.
 */
final class UriEscape {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private UriEscape() {
    }

    /** For a whole path (a byte string, as {@code $uri}): escapes controls, space, {@code " # % < > ? \ ^ ` { | }}, DEL and non-ASCII. */
    static String path(String s) {
        return escape(s, false);
    }

    /** For one path segment (a file name in a listing, Java text): escapes all but {@code A-Z a-z 0-9 - . _ ~}. */
    static String component(String s) {
        return escape(ByteStrings.fromText(s), true);
    }

    private static String escape(String s, boolean component) {
        byte[] bytes = ByteStrings.bytes(s);
        StringBuilder b = null;
        for (int i = 0; i < bytes.length; i++) {
            int c = bytes[i] & 0xff;
            if (needsEscape(c, component)) {
                if (b == null) {
                    b = new StringBuilder(bytes.length + 16);
                    b.append(ByteStrings.of(java.util.Arrays.copyOf(bytes, i)));
                }
                b.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            } else if (b != null) {
                b.append((char) c);
            }
        }
        return b == null ? s : b.toString();
    }

    private static boolean needsEscape(int c, boolean component) {
        if (c <= 0x20 || c >= 0x7f) {
            return true;
        }
        if (component) {
            return !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '-' || c == '.' || c == '_' || c == '~');
        }
        return "\"#%<>?\\^`{|}".indexOf(c) >= 0;
    }
}
