package dev.portico.proxy;

import io.netty.util.AsciiString;
import java.util.Collection;

/**
 * A fixed set of header names, looked up case-insensitively without allocating (hash of the
 * lower-cased characters, as nginx's header hashes). Built at configuration time.
 */
final class HeaderNameSet {
    private final AsciiString[] table;
    private final int mask;
    private final int size;

    HeaderNameSet(Collection<String> names) {
        int cap = 8;
        while (cap < names.size() * 3) {
            cap <<= 1;
        }
        table = new AsciiString[cap];
        mask = cap - 1;
        int n = 0;
        for (String s : names) {
            AsciiString a = new AsciiString(s);
            int i = AsciiString.hashCode(a) & mask;
            boolean present = false;
            while (table[i] != null) {
                if (table[i].contentEqualsIgnoreCase(a)) {
                    present = true;
                    break;
                }
                i = (i + 1) & mask;
            }
            if (!present) {
                table[i] = a;
                n++;
            }
        }
        size = n;
    }

    boolean contains(CharSequence name) {
        int i = AsciiString.hashCode(name) & mask;
        AsciiString a;
        while ((a = table[i]) != null) {
            if (a.contentEqualsIgnoreCase(name)) {
                return true;
            }
            i = (i + 1) & mask;
        }
        return false;
    }

    int size() {
        return size;
    }
}
