package dev.portico.http;

import dev.portico.bytes.ByteStrings;

/**
 * Percent-encodes a decoded path the way nginx's {@code ngx_escape_uri(..., NGX_ESCAPE_URI)}
 * does before it puts a URI on the wire again: space, {@code #}, {@code %}, {@code ?}, control
 * characters and bytes from 0x7F up; everything else stays as it is.
 */
public final class UriEscaper {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private UriEscaper() {
    }

    static boolean needsEscape(int b) {
        return b <= 0x20 || b == '#' || b == '%' || b == '?' || b >= 0x7f;
    }

    /** The path (a byte string, as {@code $uri}) with nginx's URI escaping applied. */
    public static String escapePath(String path) {
        int i = 0;
        int n = path.length();
        while (i < n) {
            char c = path.charAt(i);
            if (c >= 0x80 || needsEscape(c)) {
                break;
            }
            i++;
        }
        if (i == n) {
            return path;
        }
        StringBuilder b = new StringBuilder(n + 16);
        b.append(path, 0, i);
        byte[] bytes = ByteStrings.bytes(path.substring(i));
        for (byte x : bytes) {
            int v = x & 0xff;
            if (needsEscape(v)) {
                b.append('%').append(HEX[v >> 4]).append(HEX[v & 0xf]);
            } else {
                b.append((char) v);
            }
        }
        return b.toString();
    }
}
