package dev.portico.http;

import dev.portico.bytes.ByteStrings;
import java.io.ByteArrayOutputStream;

/**
 * Turns the path of a request target into nginx's {@code $uri}: percent-decoded into a byte
 * string (one char per byte), {@code .} and {@code ..} segments resolved, repeated slashes
 * merged (when {@code merge_slashes} is on). Returns {@code null} for a path nginx rejects with 400 (bad escape, NUL, climbing above root).
 */
public final class UriNormalizer {
    private UriNormalizer() {
    }

    public static String normalize(String rawPath, boolean mergeSlashes) {
        if (rawPath.isEmpty() || rawPath.charAt(0) != '/') {
            return null;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(rawPath.length());
        for (int i = 0; i < rawPath.length(); i++) {
            char c = rawPath.charAt(i);
            if (c == '%') {
                if (i + 2 >= rawPath.length()) {
                    return null;
                }
                int hi = Character.digit(rawPath.charAt(i + 1), 16);
                int lo = Character.digit(rawPath.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                int b = hi * 16 + lo;
                if (b == 0) {
                    return null;
                }
                bytes.write(b);
                i += 2;
            } else if (c < 0x20 || c == 0x7f) {
                return null;
            } else {
                // the request line was read as ISO-8859-1: each char is one byte as received
                bytes.write(c);
            }
        }
        // $uri is a byte string like the rest (ByteStrings): %FF stays the byte 0xFF, never U+FFFD
        return resolveDots(ByteStrings.of(bytes.toByteArray()), mergeSlashes);
    }

    /** Resolves dot segments per RFC 3986 5.2.4; null when ".." would leave the root. */
    static String resolveDots(String path, boolean mergeSlashes) {
        String[] parts = path.split("/", -1);
        String[] out = new String[parts.length];
        int n = 0;
        boolean trailingSlash = false;
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i];
            boolean last = i == parts.length - 1;
            if (p.equals(".")) {
                trailingSlash = last;
                continue;
            }
            if (p.equals("..")) {
                if (n == 0) {
                    return null;
                }
                n--;
                trailingSlash = last;
                continue;
            }
            if (p.isEmpty() && !last && mergeSlashes) {
                continue;
            }
            out[n++] = p;
            trailingSlash = false;
        }
        StringBuilder b = new StringBuilder(path.length());
        for (int i = 0; i < n; i++) {
            b.append('/').append(out[i]);
        }
        if (trailingSlash || b.length() == 0) {
            b.append('/');
        }
        return b.toString();
    }
}
