package dev.portico.http;

import dev.portico.config.ConfigException;
import dev.portico.observability.ErrorLog;
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
 * ({@code www.example.*}), then the first matching regex in configuration order; otherwise the
 * default server of the address.
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

    /**
     * Adds a name as written in {@code server_name} (already checked by the directive); the first
     * server to claim a name keeps it and a later claim is warned about, as nginx does.
     *
     * @param addrText the address, for nginx's messages ("0.0.0.0:80")
     */
    public void add(String name, S server, String addrText) throws ConfigException {
        if (name.startsWith("~")) {
            regexes.add(Map.entry(compileRegex(name.substring(1)), server));
            return;
        }
        String n = name.toLowerCase(Locale.ROOT);
        if (!validWildcard(n)) {
            throw new ConfigException("invalid server name or wildcard \"" + name + "\" on " + addrText);
        }
        boolean fresh;
        if (n.startsWith("*.")) {
            fresh = leading.putIfAbsent(n.substring(1), server) == null;
        } else if (n.startsWith(".")) {
            fresh = exact.putIfAbsent(n.substring(1), server) == null;
            fresh &= leading.putIfAbsent(n, server) == null;
        } else if (n.endsWith(".*")) {
            fresh = trailing.putIfAbsent(n.substring(0, n.length() - 1), server) == null;
        } else {
            fresh = exact.putIfAbsent(n, server) == null;
        }
        if (!fresh) {
            ErrorLog.warn("conflicting server name \"" + name + "\" on " + addrText + ", ignored");
        }
    }

    /** Adds a name without nginx's checks and warnings (for indexes built from already valid names). */
    public void add(String name, S server) {
        if (name.startsWith("~")) {
            regexes.add(Map.entry(compileRegex(name.substring(1)), server));
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

    /** A regex name is matched case-insensitively when it has an upper-case letter (nginx's rule). */
    public static Pattern compileRegex(String re) {
        boolean upper = false;
        for (int i = 0; i < re.length() && !upper; i++) {
            upper = re.charAt(i) >= 'A' && re.charAt(i) <= 'Z';
        }
        return RegexSupport.compile(re, upper);
    }

    /** nginx's hash rules: at most one "*", only as "*." in front or ".*" at the end; no ".." and no NUL. */
    private static boolean validWildcard(String n) {
        if (n.contains("..") || n.indexOf('\0') >= 0) {
            return false;
        }
        int stars = 0;
        for (int i = 0; i < n.length(); i++) {
            if (n.charAt(i) == '*') {
                stars++;
            }
        }
        if (stars == 0) {
            return true;
        }
        return stars == 1 && n.length() > 2 && (n.startsWith("*.") || n.endsWith(".*"));
    }

    public S defaultServer() {
        return defaultServer;
    }

    /** @param host the host already lower-cased, without port and trailing dot ("" when absent) */
    public Hit<S> find(String host) {
        Hit<S> named = findNamed(host);
        return named != null ? named : new Hit<>(defaultServer, null);
    }

    /**
     * The server whose names match {@code host}, or null when none does (nginx's
     * {@code NGX_DECLINED}, after which the default server answers).
     */
    public Hit<S> findNamed(String host) {
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
        return null;
    }
}
