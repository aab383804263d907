package dev.portico.http;

import dev.portico.config.ConfNode;
import dev.portico.config.directive.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Owner of a location level (or of an {@code if} block's level) while reading. */
public final class LocationBuilder {
    final Location.Kind kind;
    final String name;
    final Pattern regex;
    final ConfNode node;
    Level level;
    final List<LocationBuilder> children = new ArrayList<>();
    boolean autoRedirect;

    public LocationBuilder(Location.Kind kind, String name, Pattern regex, ConfNode node) {
        this.kind = kind;
        this.name = name;
        this.regex = regex;
        this.node = node;
    }

    public Location.Kind kind() {
        return kind;
    }

    public String name() {
        return name;
    }

    public Level level() {
        return level;
    }

    public void level(Level l) {
        this.level = l;
    }

    /**
     * Asks for nginx's automatic redirect: a content directive that passes requests on
     * (proxy_pass and the like) calls this; when the location's name ends with "/", a request for
     * the name without the slash is answered with a 301 to the name with it. Has no effect on
     * regex, named and {@code if} locations, as in nginx.
     */
    public void requestAutoRedirect() {
        if (name.endsWith("/") && (kind == Location.Kind.PREFIX || kind == Location.Kind.PREFIX_NOREGEX
            || kind == Location.Kind.EXACT)) {
            autoRedirect = true;
        }
    }
}
