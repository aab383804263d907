package dev.portico.bytes;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * nginx handles URIs, header values, configuration text and log lines as bytes, never as text in
 * some encoding. Portico carries such byte strings in Java {@code String}s with one char per
 * byte (ISO-8859-1): every byte value survives, comparisons and regexes work byte by byte, and
 * nothing is ever replaced by U+FFFD. These are the crossings to and from the places that need
 * real text (file names, Java messages).
 */
public final class ByteStrings {
    private ByteStrings() {
    }

    /** The bytes a byte string stands for. A char above 0xFF (text from a Java API) is written as its UTF-8 bytes. */
    public static byte[] bytes(String s) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            if (s.charAt(i) > 0xff) {
                return mixed(s);
            }
        }
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] mixed(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        int i = 0;
        while (i < s.length()) {
            int cp = s.codePointAt(i);
            if (cp <= 0xff) {
                b.append((char) cp);
            } else {
                b.append(of(new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8)));
            }
            i += Character.charCount(cp);
        }
        return b.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The byte string of {@code bytes}. */
    public static String of(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    /** The byte string of Java text: its UTF-8 bytes (file names read from a directory, for instance). */
    public static String fromText(String text) {
        return of(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The Java text of a byte string taken as UTF-8, for the APIs that want text: file names
     * (the JVM encodes them back as UTF-8). Bytes that are not UTF-8 cannot name a file through
     * Java; they become U+FFFD and such a file is simply not found.
     */
    public static String toText(String s) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            if (s.charAt(i) >= 0x80) {
                return new String(bytes(s), StandardCharsets.UTF_8);
            }
        }
        return s;
    }

    /** A file path from a byte string (configuration, URI). */
    public static Path path(String s) {
        return Path.of(toText(s));
    }
}
