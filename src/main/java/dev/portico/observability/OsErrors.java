package dev.portico.observability;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

/** Words a failed file operation the way nginx prints errno: {@code 13: Permission denied}. */
final class OsErrors {
    private OsErrors() {
    }

    static String describe(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "13: Permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "2: No such file or directory";
        }
        if (e instanceof FileAlreadyExistsException) {
            // createDirectories met a file where a directory belongs: open() would say ENOTDIR
            return "20: Not a directory";
        }
        String reason = e instanceof FileSystemException f && f.getReason() != null ? f.getReason() : e.getMessage();
        if (reason == null) {
            return e.toString();
        }
        if (reason.contains("Is a directory")) {
            return "21: Is a directory";
        }
        if (reason.contains("Not a directory")) {
            return "20: Not a directory";
        }
        if (reason.contains("No space left")) {
            return "28: No space left on device";
        }
        if (reason.contains("Read-only file system")) {
            return "30: Read-only file system";
        }
        return reason;
    }
}
