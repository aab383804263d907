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
}
