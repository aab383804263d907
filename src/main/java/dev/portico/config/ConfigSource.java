package dev.portico.config;

import java.nio.file.Path;

/** A file the parser read, kept verbatim for {@code -T}. */
public record ConfigSource(Path path, String text) {
}
