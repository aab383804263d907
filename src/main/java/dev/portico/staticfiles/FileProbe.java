package dev.portico.staticfiles;

import dev.portico.bytes.ByteStrings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * What a file system lookup found: the kind, size and modification time of a path, or the error,
 * after the {@code disable_symlinks} check. Runs on the file pool only.
 */
record FileProbe(FsError error, boolean dir, boolean regular, long size, long mtimeSeconds) {

    static FileProbe failed(FsError e) {
        return new FileProbe(e, false, false, 0, 0);
    }

    boolean found() {
        return error == null;
    }

    /** stat() of {@code path}, refusing symbolic links on the way as {@code guard} says. */
    static FileProbe stat(String path, SymlinkPolicy.Guard guard) {
        Path p;
        try {
            p = ByteStrings.path(path);
        } catch (InvalidPathException e) {
            return failed(FsError.NOT_FOUND);
        }
        try {
            FsError refused = checkLinks(path, guard);
            if (refused != null) {
                return failed(refused);
            }
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
            return new FileProbe(null, a.isDirectory(), a.isRegularFile(), a.size(), a.lastModifiedTime().toMillis() / 1000);
        } catch (IOException e) {
            return failed(FsError.of(e));
        }
    }

    /**
     * Walks the components of the path after the trusted part with lstat(), as nginx's openat()
     * walk with O_NOFOLLOW does. Unlike nginx this is a check before the open, not part of it.
     * As on Linux, a link where a directory is searched (a slash follows it) fails with ENOTDIR
     * (404), a link at the end with ELOOP (403); under {@code if_not_owner} an owner mismatch is
     * ELOOP wherever it is.
     */
    private static FsError checkLinks(String path, SymlinkPolicy.Guard guard) throws IOException {
        if (guard.mode() == SymlinkPolicy.Mode.OFF) {
            return null;
        }
        int start = guard.trusted(path);
        if (start < 0) {
            return null;
        }
        int i = start;
        while (i < path.length()) {
            int next = path.indexOf('/', i + 1);
            int end = next < 0 ? path.length() : next;
            if (end > i + 1 || (i == 0 && end > 0)) {
                Path component = ByteStrings.path(path.substring(0, end));
                BasicFileAttributes a = Files.readAttributes(component, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (a.isSymbolicLink()) {
                    if (guard.mode() == SymlinkPolicy.Mode.ON) {
                        return next < 0 ? FsError.LOOP : FsError.NOT_DIR;
                    }
                    if (!Files.getOwner(component, LinkOption.NOFOLLOW_LINKS).equals(Files.getOwner(component))) {
                        return FsError.LOOP;
                    }
                }
            }
            if (next < 0) {
                break;
            }
            i = next;
        }
        return null;
    }
}
