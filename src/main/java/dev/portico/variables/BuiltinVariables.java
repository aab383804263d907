package dev.portico.variables;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The variables the modules compute ({@code $host}, {@code $upstream_addr}, the {@code $http_}
 * family...), gathered once from the module list by the composition root and read by every
 * snapshot built with it.
 */
public final class BuiltinVariables {
    final Map<String, Variable> named;
    final Map<String, VariableSetter> setters;
    final Map<String, VariableFactory> prefixed;
    final Variables.UnsetRead unsetRead;

    private BuiltinVariables(Builder b) {
        this.named = Map.copyOf(b.named);
        this.setters = Map.copyOf(b.setters);
        this.prefixed = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.prefixed));
        this.unsetRead = b.unsetRead;
    }

    public boolean contains(String name) {
        return named.containsKey(name.toLowerCase());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Where modules declare their variables. */
    public static final class Builder {
        private final Map<String, Variable> named = new HashMap<>();
        private final Map<String, VariableSetter> setters = new HashMap<>();
        private final Map<String, VariableFactory> prefixed = new LinkedHashMap<>();
        private Variables.UnsetRead unsetRead = (ex, name) -> { };

        /** A variable computed from the request. */
        public Builder builtin(String name, Variable v) {
            if (named.putIfAbsent(name, v) != null) {
                throw new IllegalStateException("variable declared twice: $" + name);
            }
            return this;
        }

        /**
         * A variable computed from the request that {@code set} may also assign (nginx's
         * changeable variables with a set handler, such as {@code $args} and {@code $limit_rate}).
         */
        public Builder settable(String name, Variable v, VariableSetter setter) {
            builtin(name, v);
            setters.put(name, setter);
            return this;
        }

        /** A family such as {@code http_} whose suffix selects what is read. */
        public Builder prefixed(String prefix, VariableFactory f) {
            prefixed.put(prefix, f);
            return this;
        }

        /** Told when a {@code set} variable is read before any {@code set} gave it a value. */
        public Builder onUnsetRead(Variables.UnsetRead hook) {
            unsetRead = hook;
            return this;
        }

        public BuiltinVariables build() {
            return new BuiltinVariables(this);
        }
    }
}
