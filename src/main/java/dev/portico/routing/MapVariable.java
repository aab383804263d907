package dev.portico.routing;

import dev.portico.http.Exchange;
import dev.portico.observability.ErrorLog;
import dev.portico.observability.LogLevel;
import dev.portico.variables.Template;
import dev.portico.variables.Variable;
import java.util.HashMap;
import java.util.Map;

/**
 * The variable a {@code map} defines. It is computed only when read, and then kept for the rest
 * of the request (internal redirects included), unless the map is {@code volatile}.
 */
final class MapVariable implements Variable {
    /** Per-request values of the maps read so far (an exchange attachment). */
    private static final class Cache {
        final Map<MapVariable, String> values = new HashMap<>(4);
    }

    /** Marks a map being evaluated, to stop a map whose source reads itself. */
    private static final String EVALUATING = new String("evaluating");

    private final String name;
    private final Template source;
    private final MapTable<Template> table;
    private final Template defaultValue;
    private final boolean hostnames;
    private final boolean volatileValue;

    MapVariable(String name, Template source, MapTable<Template> table, Template defaultValue, boolean hostnames,
                boolean volatileValue) {
        this.name = name;
        this.source = source;
        this.table = table;
        this.defaultValue = defaultValue;
        this.hostnames = hostnames;
        this.volatileValue = volatileValue;
    }

    @Override
    public String get(Exchange ex) {
        Cache cache = ex.attachment(Cache.class);
        if (cache == null) {
            cache = new Cache();
            ex.attach(Cache.class, cache);
        }
        String cached = cache.values.get(this);
        if (cached == EVALUATING) {
            ErrorLog.of(ex).log(LogLevel.ERROR, ex.connection().id(),
                "cycle while evaluating variable \"" + name + "\"" + ErrorLog.context(ex));
            return "";
        }
        if (cached != null) {
            return cached;
        }
        cache.values.put(this, EVALUATING);
        String value;
        try {
            value = evaluate(ex);
        } finally {
            cache.values.remove(this);
        }
        if (!volatileValue) {
            cache.values.put(this, value);
        }
        return value;
    }

    private String evaluate(Exchange ex) {
        String key = source.render(ex);
        if (hostnames && key.endsWith(".")) {
            key = key.substring(0, key.length() - 1);
        }
        MapTable.Hit<Template> hit = table.find(key);
        if (hit == null) {
            return defaultValue == null ? "" : defaultValue.render(ex);
        }
        if (hit.match() != null && hit.match().groupCount() > 0) {
            ex.captures(hit.match());
        }
        return hit.value().render(ex);
    }
}
