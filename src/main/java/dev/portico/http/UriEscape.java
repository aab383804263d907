package dev.portico.http;

import dev.portico.bytes.ByteStrings;
import java.nio.charset.StandardCharsets;

/**
 * Percent-encoding of byte strings, nginx's {@code ngx_escape_uri} with its modes. Every mode
 * escapes the control bytes, space, DEL and bytes from 0x80 up; each adds its own characters.
 * A string with nothing to escape is returned as it is (no copy).
 */
public final class UriEscape {
    /** nginx's escape modes, plus the two Portico uses for Location fields. */
    public enum Mode {
        /** NGX_ESCAPE_URI: a path put on the wire again ({@code # % ?}). */
        URI("#%?"),
        /** NGX_ESCAPE_ARGS: a value put into arguments ({@code # % & + ; ?}). */
        ARGS("#%&+;?"),
        /** NGX_ESCAPE_URI_COMPONENT: one path segment; all but {@code A-Z a-z 0-9 - . _ ~}. */
        URI_COMPONENT("!\"#$%&'()*+,/:;<=>?@[\\]^`{|}"),
        /** A whole path in a Location field or a link: RFC 3986's unsafe characters ({@code " # % < > ? \ ^ ` { | }}). */
        PATH("\"#%<>?\\^`{|}"),
        /**
         * A redirect target as the Location field (rewrite, return, error_page): only what would
         * split or break the field. nginx sends it raw, which lets a decoded CR LF in {@code $uri}
         * split the response.
         */
        LOCATION("");

        private final boolean[] escape = new boolean[256];

        Mode(String extra) {
            for (int c = 0; c < 256; c++) {
                escape[c] = c <= 0x20 || c >= 0x7f;
            }
            for (char c : extra.toCharArray()) {
                escape[c] = true;
            }
        }
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private UriEscape() {
    }

    /**
     * The byte string (one char per byte) with the mode's characters as {@code %XX}. A char
     * above U+00FF (Java text that never was bytes) is escaped as its UTF-8 bytes.
     */
    public static String escape(String s, Mode mode) {
        int n = s.length();
        int i = 0;
        while (i < n && s.charAt(i) <= 0xff && !mode.escape[s.charAt(i)]) {
            i++;
        }
        if (i == n) {
            return s;
        }
        StringBuilder b = new StringBuilder(n + 16).append(s, 0, i);
        for (; i < n; i++) {
            char c = s.charAt(i);
            if (c > 0xff) {
                int end = Character.isHighSurrogate(c) && i + 1 < n ? i + 2 : i + 1;
                for (byte x : s.substring(i, end).getBytes(StandardCharsets.UTF_8)) {
                    hex(b, x & 0xff);
                }
                i = end - 1;
            } else if (mode.escape[c]) {
                hex(b, c);
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** Java text (a file name, say) as UTF-8 bytes, escaped. */
    public static String escapeText(String text, Mode mode) {
        return escape(ByteStrings.fromText(text), mode);
    }

    private static void hex(StringBuilder b, int v) {
        b.append('%').append(HEX[v >> 4]).append(HEX[v & 0xf]);
    }
}
