package dev.portico.core;

import dev.portico.bytes.ByteStrings;
import java.nio.file.Path;

/**
 * Where things are: the prefix (install directory or {@code -p}), the main configuration file and
 * its directory. Relative paths in the configuration resolve against the prefix, except
 * {@code include}, which resolves against the main file's directory, as nginx does.
 */
public record Prefix(Path prefix, Path confFile) {

    public Prefix {
        prefix = prefix.toAbsolutePath().normalize();
        confFile = prefix.resolve(confFile).toAbsolutePath().normalize();
    }

    public Path confDir() {
        return confFile.getParent();
    }

    /** Resolves a path from the configuration against the prefix. */
    public Path resolve(String path) {
        return prefix.resolve(ByteStrings.toText(path)).normalize();
    }
}
