package dev.portico.observability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

/**
 * One access log file as the writer thread holds it: the channel (append mode), the lines not
 * yet written and the {@code buffer=}/{@code flush=}/{@code gzip} rules. Only the writer thread
 * touches it.
 *
 * <p>As in nginx: a line that does not fit in the buffer first pushes the buffer out; a line
 * bigger than the whole buffer is written by itself; the flush timer starts with the first line
 * put into an empty buffer; with {@code gzip}, each write is one gzip member (so {@code zcat}
 * reads the file whole).
 */
final class LogFile {
    /** Lines of an unbuffered file collected while the writer drains its queue, written in one call. */
    private static final int BATCH = 64 * 1024;
    private static final long ERROR_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(60);

    private final Path path;
    private final boolean createParents;
    private FileParams params;
    private FileChannel channel;
    private byte[] buf = new byte[0];
    private int len;
    private long firstLineAt;
    private long lastErrorAt;
    private boolean errorLogged;

    LogFile(Path path, boolean createParents, FileParams params) {
        this.path = path;
        this.createParents = createParents;
        this.params = params;
    }

    Path path() {
        return path;
    }

    FileParams params() {
        return params;
    }

    /** New rules after a reload: what was buffered under the old ones is written first. */
    void params(FileParams p) {
        if (!p.equals(params)) {
            flush();
            params = p;
        }
    }

    /** Opens the file if needed; false (after logging, at most once a minute) when it can not be. */
    boolean open() {
        if (channel != null) {
            return true;
        }
        try {
            if (createParents && path.getParent() != null) {
                Files.createDirectories(path.getParent());
            }
            channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            errorLogged = false;
            return true;
        } catch (IOException e) {
            reportOnce("open() \"" + path + "\" failed (" + Errno.of(e) + ")", LogLevel.CRIT);
            return false;
        }
    }

    /** Takes one line; an unbuffered file keeps it until the writer's batch ends ({@link #flush()}). */
    void add(byte[] line, long now) {
        int cap = params.buffered() ? params.bufferSize() : BATCH;
        if (len + line.length > cap) {
            flush();
        }
        if (line.length > cap) {
            write(line, 0, line.length);
            return;
        }
        if (buf.length < cap) {
            buf = java.util.Arrays.copyOf(buf, cap);
        }
        if (len == 0) {
            firstLineAt = now;
        }
        System.arraycopy(line, 0, buf, len, line.length);
        len += line.length;
    }

    /** Nanos until the flush timer of a buffered file fires; {@code Long.MAX_VALUE} when none runs. */
    long flushDelay(long now) {
        if (len == 0 || !params.buffered()) {
            return Long.MAX_VALUE;
        }
        if (params.flushMillis() <= 0) {
            return Long.MAX_VALUE;
        }
        return Math.max(0, firstLineAt + TimeUnit.MILLISECONDS.toNanos(params.flushMillis()) - now);
    }

    /** Writes out what waits in the buffer. */
    void flush() {
        if (len > 0) {
            int n = len;
            len = 0;
            write(buf, 0, n);
        }
    }

    private void write(byte[] data, int off, int n) {
        if (!open()) {
            return;
        }
        byte[] out = data;
        int o = off;
        int l = n;
        if (params.gzipLevel() > 0) {
            out = gzip(data, off, n, params.gzipLevel());
            o = 0;
            l = out.length;
        }
        try {
            ByteBuffer bb = ByteBuffer.wrap(out, o, l);
            while (bb.hasRemaining()) {
                channel.write(bb);
            }
        } catch (IOException e) {
            reportOnce("write() to \"" + path + "\" failed (" + Errno.of(e) + ")", LogLevel.ALERT);
            closeChannel();
        }
    }

    /** Log rotation: buffered lines go to the old file, then the path is opened afresh. */
    void reopen() {
        flush();
        boolean wasOpen = channel != null;
        closeChannel();
        if (wasOpen) {
            open();
        }
    }

    void close() {
        flush();
        closeChannel();
    }

    private void closeChannel() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // the descriptor is gone either way
            }
            channel = null;
        }
    }

    private void reportOnce(String message, LogLevel level) {
        long now = System.nanoTime();
        if (!errorLogged || now - lastErrorAt >= ERROR_INTERVAL_NANOS) {
            errorLogged = true;
            lastErrorAt = now;
            ErrorLog.get().log(level, 0, message);
        }
    }

    static byte[] gzip(byte[] data, int off, int len, int level) {
        ByteArrayOutputStream bos = new ByteArrayOutputStream(len / 3 + 64);
        try (GZIPOutputStream z = new LeveledGzip(bos, level)) {
            z.write(data, off, len);
        } catch (IOException e) {
            throw new IllegalStateException("gzip into memory failed", e);
        }
        return bos.toByteArray();
    }

    /** GZIPOutputStream with a chosen compression level ({@code gzip=N}). */
    private static final class LeveledGzip extends GZIPOutputStream {
        LeveledGzip(ByteArrayOutputStream out, int level) throws IOException {
            super(out, 8192);
            def.setLevel(level);
        }
    }
}
