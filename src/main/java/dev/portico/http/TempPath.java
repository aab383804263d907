package dev.portico.http;

import dev.portico.bytes.ByteStrings;
import dev.portico.config.ConfNode;
import dev.portico.config.ConfigException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A {@code *_temp_path path [level1 [level2 [level3]]]} value. As nginx's
 * {@code ngx_create_hashed_filename}, each level names a subdirectory after characters taken
 * from the end of the file name: levels {@code 1 2} put {@code 0000123457} in
 * {@code path/7/45/}.
 */
public record TempPath(Path dir, int[] levels) {

    /**
     * Reads the directive's arguments. As nginx's {@code ngx_conf_set_path_slot}: each level is a
     * positive number and together they take at most the 10 characters of a file name.
     */
    public static TempPath parse(ConfNode node) throws ConfigException {
        int[] levels = new int[node.argCount() - 1];
        int sum = 0;
        for (int i = 1; i < node.argCount(); i++) {
            int l = level(node.arg(i));
            if (l <= 0) {
                throw node.error("\"" + node.name() + "\" directive invalid value");
            }
            levels[i - 1] = l;
            sum += l;
        }
        if (sum > 10) {
            throw node.error("\"" + node.name() + "\" directive invalid value");
        }
        return new TempPath(ByteStrings.path(node.arg(0)), levels);
    }

    private static int level(String s) {
        if (s.isEmpty() || s.length() > 2) {
            return -1;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return -1;
            }
        }
        return Integer.parseInt(s);
    }

    public static TempPath of(String dir) {
        return new TempPath(Path.of(dir), new int[0]);
    }

    /** The same levels under {@code prefix}. */
    public TempPath resolve(Path prefix) {
        return new TempPath(prefix.resolve(dir), levels);
    }

    /** The file for {@code name}, inside its level subdirectories. */
    public Path file(String name) {
        Path p = dir;
        int end = name.length();
        for (int l : levels) {
            p = p.resolve(name.substring(end - l, end));
            end -= l;
        }
        return p.resolve(name);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TempPath t && t.dir.equals(dir) && Arrays.equals(t.levels, levels);
    }

    @Override
    public int hashCode() {
        return dir.hashCode() * 31 + Arrays.hashCode(levels);
    }

    @Override
    public String toString() {
        return dir + (levels.length == 0 ? "" : " " + Arrays.toString(levels));
    }
}
