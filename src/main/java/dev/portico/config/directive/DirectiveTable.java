package dev.portico.config.directive;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every directive Portico understands, each declared exactly once by the package that owns it. */
public final class DirectiveTable {
    private final Map<String, Directive> byName = new LinkedHashMap<>();

    public DirectiveTable(List<List<Directive>> modules) {
        for (List<Directive> module : modules) {
            for (Directive d : module) {
                if (byName.putIfAbsent(d.name(), d) != null) {
                    throw new IllegalStateException("directive declared twice: " + d.name());
                }
            }
        }
    }

    public Directive get(String name) {
        return byName.get(name);
    }

    public Collection<Directive> all() {
        return Collections.unmodifiableCollection(byName.values());
    }
}
