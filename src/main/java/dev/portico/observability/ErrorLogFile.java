package dev.portico.observability;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One error log file, written with one {@code write()} per line in append mode, so that several
 * writers (threads, or two handles on the same path) never interleave inside a line.
 *
 * <p>nginx writes its error log synchronously from the worker; so does Portico: a line is a
 * single small append that lands in the page cache. A handle for a per-location
 * {@code error_log} opens its file on first use and re-opens it after a failed write.
 */
final class ErrorLogFile {
    private final Path path;
    private OutputStream out;

    ErrorLogFile(Path path) {
        this.path = path;
    }

    Path path() {
        return path;
    }

    /** Opens (or re-opens, for log rotation) the file, creating missing parent directories. */
    synchronized void open() throws IOException {
        Path parent = path.getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        OutputStream old = out;
        out = Files.newOutputStream(path, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        if (old != null) {
            closeQuietly(old);
        }
    }

    /** Re-opens the file if it is open (log rotation); a closed one opens at its next line anyway. */
    synchronized void reopenIfOpen() {
        if (out != null) {
            try {
                open();
            } catch (IOException e) {
                closeQuietly(out);
                out = null;
            }
        }
    }

    synchronized void write(byte[] line) {
        try {
            if (out == null) {
                open();
            }
            out.write(line);
        } catch (IOException e) {
            // nowhere left to report a failing error log; the next line tries a fresh handle
            closeQuietly(out);
            out = null;
        }
    }

    synchronized void close() {
        if (out != null) {
            closeQuietly(out);
            out = null;
        }
    }

    private static void closeQuietly(OutputStream s) {
        try {
            if (s != null) {
                s.close();
            }
        } catch (IOException ignored) {
            // closing an old log file during reopen or reload
        }
    }
}
