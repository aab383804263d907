package dev.portico.core;

import dev.portico.variables.Variables;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What the directives of one configuration read share while a snapshot is built: the prefix,
 * the variables, and per-package registries (upstream groups, log formats...). Owner of the main
 * level; directives reach it with {@code level.nearest(BuildContext.class)}.
 */
public final class BuildContext {
    private final Prefix prefix;
    private final Variables variables = new Variables();
    private final Map<Class<?>, Object> registries = new HashMap<>();

    public BuildContext(Prefix prefix) {
        this.prefix = prefix;
    }

    public Prefix prefix() {
        return prefix;
    }

    public Variables variables() {
        return variables;
    }

    public <T> T registry(Class<T> type, Supplier<T> create) {
        return type.cast(registries.computeIfAbsent(type, k -> create.get()));
    }

    public <T> T registry(Class<T> type) {
        return type.cast(registries.get(type));
    }
}
