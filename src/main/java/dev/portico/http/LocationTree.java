package dev.portico.http;

import java.util.List;
import java.util.regex.Matcher;

/**
 * The locations of one level (a server or an enclosing location) and nginx's search over them
 * (ngx_http_core_find_location):
 * <ol>
 * <li>an exact ({@code =}) location equal to the URI wins at once;</li>
 * <li>otherwise the longest matching prefix is remembered and its nested locations searched the
 *     same way; a nested exact or regex match wins at once, a nested prefix replaces it;</li>
 * <li>when no prefix equals the URI but one equals the URI plus "/" and is flagged for the
 *     automatic redirect (proxy_pass and friends), the answer is a 301 to that location;</li>
 * <li>unless the prefix found at this level is {@code ^~}, the regexes of this level are tried
 *     in order of appearance; the first match wins and its own nested locations are searched;</li>
 * <li>the remembered prefix last.</li>
 * </ol>
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
     * {@code exact} means the search ended there (an exact or regex match); {@code autoRedirect}
     * means the request is answered with a 301 to the URI plus "/"; {@code earlier} are the
     * matches of enclosing regex locations, outermost first: as in nginx each match sets the
     * captures in turn, so named captures of an outer regex stay readable.
     */
    public record Found(Location location, Matcher match, boolean exact, boolean autoRedirect, List<Matcher> earlier) {
        public Found(Location location, Matcher match, boolean exact) {
            this(location, match, exact, false, List.of());
        }
    }

    public Found find(String uri) {
        Location best = null;
        Location redirectExact = null;
        Location redirectPrefix = null;
        for (Location l : literal) {
            String n = l.name();
            boolean slashTwin = n.length() == uri.length() + 1 && n.endsWith("/") && n.startsWith(uri);
            if (l.kind() == Location.Kind.EXACT) {
                if (uri.equals(n)) {
                    return new Found(l, null, true);
                }
                if (slashTwin) {
                    redirectExact = l;
                }
            } else {
                if (uri.startsWith(n) && (best == null || n.length() > best.name().length())) {
                    best = l;
                }
                if (slashTwin) {
                    redirectPrefix = l;
                }
            }
        }
        // nginx keeps one tree node per name; the redirect applies when either location of "uri/" asks for it
        boolean redirect = (redirectExact != null && redirectExact.autoRedirect())
            || (redirectPrefix != null && redirectPrefix.autoRedirect());
        if (redirect && (best == null || best.name().length() < uri.length())) {
            return new Found(redirectExact != null ? redirectExact : redirectPrefix, null, true, true, List.of());
        }
        Found found = null;
        if (best != null) {
            found = new Found(best, null, false);
            if (!best.nested().isEmpty()) {
                Found inner = best.nested().find(uri);
                if (inner != null) {
                    if (inner.exact()) {
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
                        // inside a regex location even a nested "uri/" redirect is just that location (nginx)
                        if (inner.match() == null) {
                            return new Found(inner.location(), m, true, false, inner.earlier());
                        }
                        List<Matcher> earlier = new java.util.ArrayList<>(inner.earlier().size() + 1);
                        earlier.add(m);
                        earlier.addAll(inner.earlier());
                        return new Found(inner.location(), inner.match(), true, false, List.copyOf(earlier));
                    }
                }
                return new Found(l, m, true);
            }
        }
        return found;
    }
}
