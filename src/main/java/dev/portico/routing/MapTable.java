package dev.portico.routing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The source values of one {@code map} and the lookup nginx makes (ngx_http_map_find): exact
 * strings (ignoring case), then, for {@code hostnames}, the longest name with a leading
 * wildcard and the longest with a trailing one, then the regexes in order.
 *
 * @param <V> what a source value maps to
 */
final class MapTable<V> {
    /** Why a key could not be added, worded by the caller. */
    enum AddResult { OK, INVALID_WILDCARD, CONFLICT }

    /** A lookup result; {@code match} is set for a regex entry (its captures become variables). */
    record Hit<V>(V value, Matcher match) {
    }

    private final Map<String, V> exact = new HashMap<>();
    private final Map<String, V> leading = new HashMap<>();   // ".example.com" for *.example.com
    private final Map<String, V> trailing = new HashMap<>();  // "www.example." for www.example.*
    private final List<Map.Entry<Pattern, V>> regexes = new ArrayList<>();

    /** Adds a string key; with {@code hostnames} a key may be a wildcard name as in server_name. */
    AddResult add(String key, V value, boolean hostnames) {
        String k = key.toLowerCase(Locale.ROOT);
        if (!hostnames) {
            return exact.putIfAbsent(k, value) == null ? AddResult.OK : AddResult.CONFLICT;
        }
        int stars = 0;
        for (int i = 0; i < k.length(); i++) {
            char c = k.charAt(i);
            if (c == '*' && ++stars > 1 || c == '.' && i + 1 < k.length() && k.charAt(i + 1) == '.') {
                return AddResult.INVALID_WILDCARD;
            }
        }
        if (k.length() > 1 && k.charAt(0) == '.') {
            // ".example.com" is both "example.com" and "*.example.com"
            if (exact.containsKey(k.substring(1)) || leading.containsKey(k)) {
                return AddResult.CONFLICT;
            }
            exact.put(k.substring(1), value);
            leading.put(k, value);
            return AddResult.OK;
        }
        if (k.length() > 2 && k.startsWith("*.")) {
            return leading.putIfAbsent(k.substring(1), value) == null ? AddResult.OK : AddResult.CONFLICT;
        }
        if (k.length() > 2 && k.endsWith(".*")) {
            return trailing.putIfAbsent(k.substring(0, k.length() - 1), value) == null ? AddResult.OK : AddResult.CONFLICT;
        }
        if (stars > 0) {
            return AddResult.INVALID_WILDCARD;
        }
        return exact.putIfAbsent(k, value) == null ? AddResult.OK : AddResult.CONFLICT;
    }

    void addRegex(Pattern p, V value) {
        regexes.add(Map.entry(p, value));
    }

    /** The entry for a source value, or null. */
    Hit<V> find(String source) {
        String low = source.toLowerCase(Locale.ROOT);
        V v = exact.get(low);
        if (v != null) {
            return new Hit<>(v, null);
        }
        if (low.isEmpty()) {
            return null;
        }
        if (!leading.isEmpty()) {
            for (int i = low.indexOf('.'); i >= 0; i = low.indexOf('.', i + 1)) {
                v = leading.get(low.substring(i));
                if (v != null) {
                    return new Hit<>(v, null);
                }
            }
        }
        if (!trailing.isEmpty()) {
            for (int i = low.lastIndexOf('.'); i > 0; i = low.lastIndexOf('.', i - 1)) {
                v = trailing.get(low.substring(0, i + 1));
                if (v != null) {
                    return new Hit<>(v, null);
                }
            }
        }
        for (Map.Entry<Pattern, V> e : regexes) {
            Matcher m = e.getKey().matcher(source);
            if (m.find()) {
                return new Hit<>(e.getValue(), m);
            }
        }
        return null;
    }
}
