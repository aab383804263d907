package dev.portico.staticfiles;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/** A failed file system call, named by its errno as nginx's log lines show it ({@code (2: No such file or directory)}). */
enum FsError {
    NOT_FOUND(2, "No such file or directory"),
    ACCESS(13, "Permission denied"),
    NOT_DIR(20, "Not a directory"),
    NAME_TOO_LONG(36, "File name too long"),
    LOOP(40, "Too many levels of symbolic links"),
    OTHER(5, "Input/output error");

    final int errno;
    final String text;

    FsError(int errno, String text) {
        this.errno = errno;
        this.text = text;
    }

    /** {@code (2: No such file or directory)}, as nginx appends to a failed call. */
    String suffix() {
        return "(" + errno + ": " + text + ")";
    }

    /** Maps what the JDK threw to the errno it stands for (the JDK keeps strerror() text in the reason). */
    static FsError of(IOException e) {
        if (e instanceof NoSuchFileException nsf) {
            return missingOrNotDirectory(nsf.getFile());
        }
        if (e instanceof AccessDeniedException) {
            return ACCESS;
        }
        if (e instanceof NotDirectoryException) {
            return NOT_DIR;
        }
        String reason = e instanceof FileSystemException fse ? fse.getReason() : e.getMessage();
        if (reason != null) {
            for (FsError f : values()) {
                if (reason.contains(f.text)) {
                    return f;
                }
            }
        }
        return OTHER;
    }

    /**
     * Newer JDKs report ENOTDIR (a file where a directory is searched: {@code /file/index.html})
     * as NoSuchFileException; nginx answers the two differently (404 "Not a directory" for the
     * index, for instance), so the nearest existing ancestor decides. Only after a failed lookup.
     */
    private static FsError missingOrNotDirectory(String file) {
        if (file == null) {
            return NOT_FOUND;
        }
        try {
            for (java.nio.file.Path p = java.nio.file.Path.of(file).getParent(); p != null; p = p.getParent()) {
                if (java.nio.file.Files.exists(p)) {
                    return java.nio.file.Files.isDirectory(p) ? NOT_FOUND : NOT_DIR;
                }
            }
        } catch (java.nio.file.InvalidPathException | SecurityException ignored) {
            // a name the platform cannot take back: missing is what the call said
        }
        return NOT_FOUND;
    }
}
