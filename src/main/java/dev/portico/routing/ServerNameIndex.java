package dev.portico.routing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Picks a virtual server by host name, in nginx's order: exact name, longest name with a leading
 * wildcard ({@code *.example.com}, {@code .example.com}), longest with a trailing wildcard
 * ({@code www.example.*}), then the first matching regex; otherwise the default server.
 *
 * @param <S> the server type
 */
public final class ServerNameIndex<S> {
    private final Map<String, S> exact = new HashMap<>();
    private final Map<String, S> leading = new HashMap<>();   // key: ".example.com" (suffix incl. dot)
    private final Map<String, S> trailing = new HashMap<>();  // key: "www.example." (prefix incl. dot)
    private final List<Map.Entry<Pattern, S>> regexes = new ArrayList<>();
    private final S defaultServer;

    /** A found server and, for a regex name, the match (captures usable as variables). */
    public record Hit<S>(S server, Matcher match) {
    }

    public ServerNameIndex(S defaultServer) {
        this.defaultServer = defaultServer;
    }

    /** Adds a name as written in {@code server_name}; the first server to claim a name keeps it. */
    public void add(String name, S server) {
        if (name.startsWith("~")) {
            regexes.add(Map.entry(dev.portico.http.RegexSupport.compile(name.substring(1), false), server));
            return;
        }
        String n = name.toLowerCase(Locale.ROOT);
        if (n.startsWith("*.")) {
            leading.putIfAbsent(n.substring(1), server);
        } else if (n.startsWith(".")) {
            exact.putIfAbsent(n.substring(1), server);
            leading.putIfAbsent(n, server);
        } else if (n.endsWith(".*")) {
            trailing.putIfAbsent(n.substring(0, n.length() - 1), server);
        } else {
            exact.putIfAbsent(n, server);
        }
    }

    public S defaultServer() {
        return defaultServer;
    }

    /** @param host the host already lower-cased, without port and trailing dot ("" when absent) */
    public Hit<S> find(String host) {
        S s = exact.get(host);
        if (s != null) {
            return new Hit<>(s, null);
        }
        if (!leading.isEmpty()) {
            for (int i = host.indexOf('.'); i >= 0; i = host.indexOf('.', i + 1)) {
                s = leading.get(host.substring(i));
                if (s != null) {
                    return new Hit<>(s, null);
                }
            }
        }
        if (!trailing.isEmpty()) {
            for (int i = host.lastIndexOf('.'); i > 0; i = host.lastIndexOf('.', i - 1)) {
                s = trailing.get(host.substring(0, i + 1));
                if (s != null) {
                    return new Hit<>(s, null);
                }
            }
        }
        for (Map.Entry<Pattern, S> e : regexes) {
            Matcher m = e.getKey().matcher(host);
            if (m.find()) {
                return new Hit<>(e.getValue(), m);
            }
        }
        return new Hit<>(defaultServer, null);
    }
}
