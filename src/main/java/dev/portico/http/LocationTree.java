package dev.portico.http;

import java.util.List;
import java.util.regex.Matcher;

/**
 * The locations of one level (a server or an enclosing location) and nginx's search over them
 * (ngx_http_core_find_location): an exact match wins at once; otherwise the longest prefix is
 * remembered and its nested locations searched; then, unless that prefix was {@code ^~}, the
 * regexes of this level in order of appearance; the remembered prefix last.
 */
public final class LocationTree {
    public static final LocationTree EMPTY = new LocationTree(List.of(), List.of());

    private final List<Location> literal;
    private final List<Location> regex;

    public LocationTree(List<Location> literal, List<Location> regex) {
        this.literal = literal;
        this.regex = regex;
    }

    public boolean isEmpty() {
        return literal.isEmpty() && regex.isEmpty();
    }

    /**
     * A search result: the location and, for a regex location, its match (for captures).
     * {@code redirect} is nginx's auto_redirect: the URI is a proxied prefix location's name
     * without its trailing slash, answered with a 301 to the name.
     */
    public record Found(Location location, Matcher match, boolean exact, boolean redirect) {
        public Found(Location location, Matcher match, boolean exact) {
            this(location, match, exact, false);
        }
    }

    public Found find(String uri) {
        Location best = null;
        Location slashRedirect = null;
        for (Location l : literal) {
            String n = l.name();
            if (l.kind() == Location.Kind.EXACT) {
                if (uri.equals(n)) {
                    return new Found(l, null, true);
                }
            } else if (uri.startsWith(n) && (best == null || n.length() > best.name().length())) {
                best = l;
            }
            if (l.autoRedirect() && n.length() == uri.length() + 1 && n.endsWith("/") && n.startsWith(uri)) {
                slashRedirect = l;
            }
        }
        if (slashRedirect != null && (best == null || best.name().length() < uri.length())) {
            return new Found(slashRedirect, null, true, true);
        }
        Found found = null;
        if (best != null) {
            found = new Found(best, null, false);
            if (!best.nested().isEmpty()) {
                Found inner = best.nested().find(uri);
                if (inner != null) {
                    if (inner.exact() || inner.match() != null) {
                        return inner;
                    }
                    found = inner;
                }
            }
            if (best.kind() == Location.Kind.PREFIX_NOREGEX) {
                return found;
            }
        }
        for (Location l : regex) {
            Matcher m = l.match(uri);
            if (m != null) {
                if (!l.nested().isEmpty()) {
                    Found inner = l.nested().find(uri);
                    if (inner != null) {
                        return inner.match() != null ? inner : new Found(inner.location(), m, true);
                    }
                }
                return new Found(l, m, true);
            }
        }
        return found;
    }
}
