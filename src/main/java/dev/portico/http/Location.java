package dev.portico.http;

import dev.portico.config.directive.Settings;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A compiled {@code location} (or the pseudo-location of an {@code if} block, or a server's
 * root): merged settings, rewrite statements, content handler and nested locations.
 */
public final class Location {
    public enum Kind { EXACT, PREFIX, PREFIX_NOREGEX, REGEX, NAMED, IF, SERVER_ROOT }

    private final Kind kind;
    private final String name;
    private final Pattern regex;
    private final Settings settings;
    private final List<RewriteStep> steps;
    private final ContentHandler content;
    private final LocationTree nested;
    private final String source;
    private final boolean autoRedirect;
    private static final PhaseHandler[] NONE = new PhaseHandler[0];
    /** Per phase ordinal, the handlers modules put here; set once while the snapshot is built. */
    private PhaseHandler[][] handlers;

    public Location(Kind kind, String name, Pattern regex, Settings settings, List<RewriteStep> steps,
                    ContentHandler content, LocationTree nested, String source) {
        this(kind, name, regex, settings, steps, content, nested, source, false);
    }

    public Location(Kind kind, String name, Pattern regex, Settings settings, List<RewriteStep> steps,
                    ContentHandler content, LocationTree nested, String source, boolean autoRedirect) {
        this.autoRedirect = autoRedirect;
        this.kind = kind;
        this.name = name;
        this.regex = regex;
        this.settings = settings;
        this.steps = steps;
        this.content = content;
        this.nested = nested;
        this.source = source;
    }

    public Kind kind() {
        return kind;
    }

    /** The URI, prefix, regex source or {@code @name} as written. */
    public String name() {
        return name;
    }

    public Pattern regex() {
        return regex;
    }

    public Settings settings() {
        return settings;
    }

    public List<RewriteStep> steps() {
        return steps;
    }

    /** The content handler set in this location, or {@code null} for the default (static files). */
    public ContentHandler content() {
        return content;
    }

    /** The handlers of one of {@link Phase#HANDLED} that apply in this location, in module order. */
    public PhaseHandler[] handlers(Phase phase) {
        PhaseHandler[] h = handlers == null ? null : handlers[phase.ordinal()];
        return h == null ? NONE : h;
    }

    void handlers(PhaseHandler[][] compiled) {
        if (handlers != null) {
            throw new IllegalStateException("phase handlers set twice for " + this);
        }
        handlers = compiled;
    }

    public LocationTree nested() {
        return nested;
    }

    public boolean isRegex() {
        return regex != null;
    }

    public Matcher match(String uri) {
        Matcher m = regex.matcher(uri);
        return m.find() ? m : null;
    }

    /**
     * True when a request for the name without its trailing "/" gets a 301 to this location
     * (nginx's auto_redirect, set by proxy_pass and the other *_pass directives).
     */
    public boolean autoRedirect() {
        return autoRedirect;
    }

    /** FILE:LINE of the block, for messages. */
    public String source() {
        return source;
    }

    @Override
    public String toString() {
        return "location " + (kind == Kind.EXACT ? "= " : kind == Kind.PREFIX_NOREGEX ? "^~ " : kind == Kind.REGEX ? "~ " : "") + name;
    }
}
