package dev.portico.http;

import dev.portico.config.directive.Settings;
import java.util.List;
import java.util.Map;

/** A compiled {@code server} block. */
public record VirtualServer(List<String> names, List<ListenSpec> listens, Settings settings, List<RewriteStep> steps,
                            LocationTree locations, Map<String, Location> named, Location root, String source) {

    /** The first name, as {@code $server_name} shows it. */
    public String primaryName() {
        return names.isEmpty() ? "" : names.get(0);
    }

    public Location namedLocation(String name) {
        return named.get(name);
    }
}
