package dev.portico.observability;

import dev.portico.bytes.ByteStrings;
import java.nio.charset.StandardCharsets;

/**
 * How {@code log_format} writes a variable's value ({@code escape=} parameter of ngx_http_log_module).
 *
 * <p>Escaping works on bytes, as nginx does: every value is a byte string (see
 * {@link ByteStrings}), so {@code $uri} of {@code /%FF} is logged as
 * {@code /\xFF}, the byte the client meant.
 */
enum LogEscape {
    /** {@code "}, {@code \}, bytes below 0x20 and from 0x7f up become {@code \xHH}; a value not found is "-". */
    DEFAULT {
        @Override
        void appendByte(int b, LineBuilder out) {
            if (b == '"' || b == '\\' || b < 0x20 || b >= 0x7f) {
                out.append('\\');
                out.append('x');
                out.append(HEX[b >> 4]);
                out.append(HEX[b & 0xf]);
            } else {
                out.append(b);
            }
        }

        @Override
        void appendNotFound(LineBuilder out) {
            out.append('-');
        }
    },
    /** JSON string escaping: {@code \"}, {@code \\}, {@code \n \r \t \b \f}, other controls as backslash-u00XX; a value not found is empty. */
    JSON {
        @Override
        void appendByte(int b, LineBuilder out) {
            if (b > 0x1f) {
                if (b == '"' || b == '\\') {
                    out.append('\\');
                }
                out.append(b);
                return;
            }
            out.append('\\');
            switch (b) {
                case '\n' -> out.append('n');
                case '\r' -> out.append('r');
                case '\t' -> out.append('t');
                case '\b' -> out.append('b');
                case '\f' -> out.append('f');
                default -> {
                    out.append('u');
                    out.append('0');
                    out.append('0');
                    out.append(HEX[b >> 4]);
                    out.append(HEX[b & 0xf]);
                }
            }
        }

        @Override
        void appendNotFound(LineBuilder out) {
            // nothing: nginx writes an empty string for a value not found
        }
    },
    /** Values as they are; a value not found is empty. */
    NONE {
        @Override
        void appendByte(int b, LineBuilder out) {
            out.append(b);
        }

        @Override
        void appendNotFound(LineBuilder out) {
            // nothing
        }
    };

    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);

    abstract void appendByte(int b, LineBuilder out);

    abstract void appendNotFound(LineBuilder out);

    /** Writes a variable's value; {@code null} is nginx's "not found". */
    void append(String value, LineBuilder out) {
        if (value == null) {
            appendNotFound(out);
            return;
        }
        if (fitsInBytes(value)) {
            for (int i = 0; i < value.length(); i++) {
                appendByte(value.charAt(i), out);
            }
        } else {
            for (byte b : ByteStrings.bytes(value)) {
                appendByte(b & 0xff, out);
            }
        }
    }

    private static boolean fitsInBytes(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0xff) {
                return false;
            }
        }
        return true;
    }

    /** The {@code escape=} value, or null when unknown. */
    static LogEscape parse(String word) {
        return switch (word) {
            case "default" -> DEFAULT;
            case "json" -> JSON;
            case "none" -> NONE;
            default -> null;
        };
    }
}
