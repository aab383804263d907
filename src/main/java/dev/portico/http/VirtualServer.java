package dev.portico.http;

import dev.portico.config.directive.Settings;
import java.util.List;
import java.util.Map;

/** A compiled {@code server} block. */
public record VirtualServer(List<String> names, List<ListenSpec> listens, Settings settings, List<RewriteStep> steps,
                            LocationTree locations, Map<String, Location> named, Location root, String source) {

    /**
     * The first name, as nginx keeps it for {@code $server_name}, error log lines and redirects:
     * lower-cased, without the leading dot of ".example.com"; a regex keeps its "~" and case.
     */
    public String primaryName() {
        String n = names.isEmpty() ? "" : names.get(0);
        if (n.startsWith("~")) {
            return n;
        }
        return (n.startsWith(".") ? n.substring(1) : n).toLowerCase(java.util.Locale.ROOT);
    }

    public Location namedLocation(String name) {
        return named.get(name);
    }
}
