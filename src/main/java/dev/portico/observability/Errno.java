package dev.portico.observability;

import io.netty.channel.ConnectTimeoutException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

/**
 * nginx prints a failed system call's errno as {@code (111: Connection refused)}; Java gives
 * exceptions whose messages carry the kernel's text. One table for files and sockets alike.
 */
public final class Errno {
    private static final String[][] KNOWN = {
        {"Address already in use", "98"},
        {"Cannot assign requested address", "99"},
        {"Connection refused", "111"},
        {"Connection reset by peer", "104"},
        {"Connection reset", "104"},
        {"Broken pipe", "32"},
        {"No route to host", "113"},
        {"Network is unreachable", "101"},
        {"Permission denied", "13"},
        {"Operation not permitted", "1"},
        {"No such file or directory", "2"},
        {"Is a directory", "21"},
        {"Not a directory", "20"},
        {"Read-only file system", "30"},
        {"No space left on device", "28"},
        {"Too many open files", "24"},
        {"timed out", "110"},
    };

    private Errno() {
    }

    /** The {@code N: text} part for an exception from a file or socket call. */
    public static String of(Throwable t) {
        if (t == null) {
            return "5: Input/output error";
        }
        if (t instanceof ConnectTimeoutException) {
            return "110: Connection timed out";
        }
        if (t instanceof NoSuchFileException) {
            return "2: No such file or directory";
        }
        if (t instanceof AccessDeniedException) {
            return "13: Permission denied";
        }
        if (t instanceof FileAlreadyExistsException) {
            // createDirectories met a file where a directory belongs: open() would say ENOTDIR
            return "20: Not a directory";
        }
        String m = t instanceof FileSystemException f && f.getReason() != null ? f.getReason() : t.getMessage();
        if (m == null || m.isEmpty()) {
            return "5: " + t.getClass().getSimpleName();
        }
        for (String[] k : KNOWN) {
            if (m.contains(k[0])) {
                return k[1] + ": " + (k[1].equals("110") ? "Connection timed out" : k[1].equals("104") ? "Connection reset by peer" : k[0]);
            }
        }
        return m;
    }
}
