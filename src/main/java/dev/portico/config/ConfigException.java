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
    /** nginx reports it without a place (found after the file was read): {@link #at} leaves it so. */
    private boolean placeless;
    /** Found after nginx would have said "syntax is ok" (its cycle's init_conf and open-files steps). */
    private boolean afterSyntax;

    public ConfigException(String message, Path file, int line) {
        super(file == null ? message : COMMAND_LINE.equals(file) ? message + " in command line" : message + " in " + file + ":" + line);
        this.bare = message;
        this.file = file;
        this.line = line;
    }

    public ConfigException(String message) {
        this(message, null, 0);
    }

    /**
     * An error nginx finds once the configuration is read (unknown variables), so its message
     * names no file or line.
     */
    public static ConfigException placeless(String message) {
        ConfigException e = new ConfigException(message);
        e.placeless = true;
        return e;
    }

    /**
     * An error of the steps nginx runs once the syntax is known to be ok (module checks of the
     * whole configuration, opening files): {@code -t} says "syntax is ok" before it.
     */
    public static ConfigException afterSyntax(String message) {
        ConfigException e = placeless(message);
        e.afterSyntax = true;
        return e;
    }

    public boolean isAfterSyntax() {
        return afterSyntax;
    }

    /** The same message, located at the given node (used when a value parser throws without a location). */
    public ConfigException at(ConfNode node) {
        return file != null || placeless ? this : new ConfigException(bare, node.file(), node.line());
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
