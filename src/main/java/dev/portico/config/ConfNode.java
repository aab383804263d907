package dev.portico.config;

import java.nio.file.Path;
import java.util.List;

/**
 * One directive as written: its name, its arguments (unquoted and unescaped, variables kept
 * verbatim), where it stands (the line of its {@code ;} or {@code {}), and for a block directive
 * its children ({@code null} for a simple directive, possibly empty for a block). A node with a
 * {@link #syntaxError()} marks where the parse stopped on malformed text.
 */
public record ConfNode(String name, List<String> args, Path file, int line, List<ConfNode> children,
                       ConfigException syntaxError) {

    public ConfNode(String name, List<String> args, Path file, int line, List<ConfNode> children) {
        this(name, args, file, line, children, null);
    }

    /**
     * For a handler that reads a block's entries itself instead of dispatching them ({@code types},
     * {@code map}): call on each entry, so the syntax error that ended the parse is reported in place.
     */
    public void throwIfSyntaxError() throws ConfigException {
        if (syntaxError != null) {
            throw syntaxError;
        }
    }

    /** The marker the parser leaves where a syntax error ended the parse. */
    public static ConfNode syntaxError(ConfigException e) {
        return new ConfNode("", List.of(), e.file(), e.line(), null, e);
    }

    public boolean isBlock() {
        return children != null;
    }

    public String arg(int i) {
        return args.get(i);
    }

    public int argCount() {
        return args.size();
    }

    public ConfigException error(String message) {
        return new ConfigException(message, file, line);
    }

    /** A word outside a directive's fixed set: nginx's enum and bitmask slots say only this. */
    public ConfigException invalidValue(String value) {
        return error("invalid value \"" + value + "\"");
    }
}
