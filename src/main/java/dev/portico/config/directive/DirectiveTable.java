package dev.portico.config.directive;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every directive Portico understands, each declared exactly once by the package that owns it.
 * As in nginx, one name may belong to several modules when their contexts do not overlap
 * ({@code server} in {@code http} and in {@code upstream}, {@code keepalive_timeout} in a
 * location and in an upstream block).
 */
public final class DirectiveTable {
    private final Map<String, List<Directive>> byName = new LinkedHashMap<>();

    public DirectiveTable(List<List<Directive>> modules) {
        for (List<Directive> module : modules) {
            for (Directive d : module) {
                List<Directive> same = byName.computeIfAbsent(d.name(), k -> new ArrayList<>(1));
                for (Directive other : same) {
                    if (!Collections.disjoint(other.contexts(), d.contexts())) {
                        throw new IllegalStateException("directive declared twice: " + d.name());
                    }
                }
                same.add(d);
            }
        }
    }

    /** The first directive declared with this name, or null. */
    public Directive get(String name) {
        List<Directive> l = byName.get(name);
        return l == null ? null : l.get(0);
    }

    /** The directive of this name allowed in the context, else the first of the name (for "not allowed here"), or null. */
    public Directive get(String name, Context context) {
        List<Directive> l = byName.get(name);
        if (l == null) {
            return null;
        }
        for (Directive d : l) {
            if (d.contexts().contains(context)) {
                return d;
            }
        }
        return l.get(0);
    }

    public Collection<Directive> all() {
        List<Directive> out = new ArrayList<>();
        for (List<Directive> l : byName.values()) {
            out.addAll(l);
        }
        return Collections.unmodifiableList(out);
    }
}
