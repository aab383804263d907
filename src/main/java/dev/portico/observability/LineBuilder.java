package dev.portico.observability;

import java.util.Arrays;

/** A growable byte array for one access log line; used on the event loop, never shared. */
final class LineBuilder {
    private byte[] buf;
    private int len;

    LineBuilder(int capacity) {
        buf = new byte[Math.max(16, capacity)];
    }

    void append(int b) {
        if (len == buf.length) {
            grow(1);
        }
        buf[len++] = (byte) b;
    }

    void append(byte[] bytes) {
        if (len + bytes.length > buf.length) {
            grow(bytes.length);
        }
        System.arraycopy(bytes, 0, buf, len, bytes.length);
        len += bytes.length;
    }

    int length() {
        return len;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(buf, len);
    }

    private void grow(int more) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
    }
}
