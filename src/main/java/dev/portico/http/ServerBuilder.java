package dev.portico.http;

import dev.portico.config.ConfNode;
import dev.portico.config.directive.Level;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Owner of a server level while reading. */
public final class ServerBuilder {
    final ConfNode node;
    Level level;
    final List<ListenSpec> listens = new ArrayList<>();
    final List<String> names = new ArrayList<>();
    final List<LocationBuilder> locations = new ArrayList<>();
    final Map<String, LocationBuilder> named = new LinkedHashMap<>();

    ServerBuilder(ConfNode node) {
        this.node = node;
    }

    public List<String> names() {
        return names;
    }
}
