package dev.portico.config;

import java.nio.file.Path;

/**
 * A configuration error worded as nginx words it. {@link #getMessage()} gives the full
 * text including {@code in FILE:LINE} when a location is known.
 */
public final class ConfigException extends Exception {
    /** The "file" of {@code -g} directives: nginx says {@code in command line}, with no line. */
    public static final Path COMMAND_LINE = Path.of("command line");

    private final String bare;
    private final Path file;
    private final int line;

    public ConfigException(String message, Path file, int line) {
        super(file == null ? message : COMMAND_LINE.equals(file) ? message + " in command line" : message + " in " + file + ":" + line);
        this.bare = message;
        this.file = file;
        this.line = line;
    }

    public ConfigException(String message) {
        this(message, null, 0);
    }

    /** The same message, located at the given node (used when a value parser throws without a location). */
    public ConfigException at(ConfNode node) {
        return file != null ? this : new ConfigException(bare, node.file(), node.line());
    }

    public String bareMessage() {
        return bare;
    }

    public Path file() {
        return file;
    }

    public int line() {
        return line;
    }
}
