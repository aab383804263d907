package dev.portico.lifecycle;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

/** nginx prints a failed system call's errno as {@code (2: No such file or directory)}; Java gives exceptions. */
public final class Errno {
    private Errno() {
    }

    /** The {@code N: text} part for an exception from a file or socket call. */
    public static String of(Throwable t) {
        if (t instanceof NoSuchFileException) {
            return "2: No such file or directory";
        }
        if (t instanceof AccessDeniedException) {
            return "13: Permission denied";
        }
        String m = t instanceof FileSystemException f && f.getReason() != null ? f.getReason()
            : t.getMessage() == null ? t.toString() : t.getMessage();
        String[][] known = {
            {"Address already in use", "98"},
            {"Permission denied", "13"},
            {"Cannot assign requested address", "99"},
            {"No such file or directory", "2"},
            {"Is a directory", "21"},
            {"Not a directory", "20"},
            {"Read-only file system", "30"},
            {"No space left on device", "28"},
            {"Too many open files", "24"},
        };
        for (String[] k : known) {
            if (m.contains(k[0])) {
                return k[1] + ": " + k[0];
            }
        }
        return m;
    }
}
