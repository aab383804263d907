package dev.portico.variables;

import dev.portico.config.ConfigException;
import java.util.HashMap;
import java.util.Map;

/**
 * The variables one snapshot knows: built-ins computed by the modules, the ones
 * declared with {@code set} (each gets a slot in the request's variable array), and ones defined
 * by blocks such as {@code map}. Names are case-insensitive as in nginx.
 */
public final class Variables {
    private final BuiltinVariables builtins;

    private final Map<String, Deferred> defined = new HashMap<>();
    private final Map<String, Integer> settable = new HashMap<>();
    private final java.util.Set<String> captureNames = new java.util.HashSet<>();

    /** Told when a {@code set} variable is read before any {@code set} gave it a value. */
    @FunctionalInterface
    public interface UnsetRead {
        void onRead(dev.portico.http.Exchange ex, String name);
    }

    public Variables(BuiltinVariables builtins) {
        this.builtins = builtins;
    }

    /** The variables of the configuration being built (with no module variables when nobody set them up). */
    public static Variables of(dev.portico.core.BuildContext build) {
        return build.registry(Variables.class, () -> new Variables(BuiltinVariables.builder().build()));
    }

    /** True for a variable a module computes. */
    public boolean isBuiltin(String name) {
        return builtins.contains(name);
    }

    /** How {@code set} assigns a built-in variable, or null when the built-in cannot be set. */
    public VariableSetter setter(String name) {
        return builtins.setters.get(name.toLowerCase());
    }

    /**
     * Declares a named regex capture ({@code (?<name>...)} or {@code (?P<name>...)} in a
     * server_name, location, rewrite, if or map): as in nginx it is a variable that any template
     * may read, holding the group of the last successful match that set it.
     */
    public void declareCapture(String name) {
        captureNames.add(name.toLowerCase());
    }

    /** Declares a variable assigned with {@code set}; returns its index in the request's array. */
    public int declareSettable(String name) {
        String key = name.toLowerCase();
        Integer idx = settable.get(key);
        if (idx == null) {
            idx = settable.size();
            settable.put(key, idx);
        }
        return idx;
    }

    public int settableCount() {
        return settable.size();
    }

    /**
     * Announces a variable that a block later in the file defines (e.g. {@code map}), so that
     * templates before the block can refer to it, as nginx resolves variables after reading.
     */
    public void announce(String name) {
        defined.computeIfAbsent(name.toLowerCase(), k -> new Deferred(name));
    }

    /** Defines a variable computed by a block of the configuration (e.g. {@code map}). */
    public void define(String name, Variable v) throws ConfigException {
        Deferred d = defined.computeIfAbsent(name.toLowerCase(), k -> new Deferred(name));
        if (d.target != null) {
            throw new ConfigException("duplicate \"" + name + "\" variable");
        }
        d.target = v;
    }

    /** Checks that every announced variable got its definition. */
    public void checkDefined() throws ConfigException {
        for (Deferred d : defined.values()) {
            if (d.target == null) {
                throw ConfigException.placeless("unknown \"" + d.name + "\" variable");
            }
        }
    }

    /** Indirection for a variable defined after its first use; fixed once the snapshot is built. */
    private static final class Deferred implements Variable {
        final String name;
        Variable target;

        Deferred(String name) {
            this.name = name;
        }

        @Override
        public String get(dev.portico.http.Exchange ex) {
            return target.get(ex);
        }
    }

    public boolean isDefined(String name) {
        return defined.containsKey(name.toLowerCase());
    }

    /** Resolves a name to a variable, or throws nginx's {@code unknown "x" variable}. */
    public Variable resolve(String name) throws ConfigException {
        String key = name.toLowerCase();
        Variable v = defined.get(key);
        if (v != null) {
            return v;
        }
        // built-ins first: "set $args" changes the request, it does not shadow $args
        v = builtins.named.get(key);
        if (v != null) {
            return v;
        }
        Integer idx = settable.get(key);
        if (idx != null) {
            int i = idx;
            UnsetRead unsetRead = builtins.unsetRead;
            return ex -> {
                String value = ex.settableVariable(i);
                if (value == null) {
                    unsetRead.onRead(ex, name);
                }
                return value;
            };
        }
        if (captureNames.contains(key)) {
            return ex -> ex.namedCapture(key);
        }
        if (!key.isEmpty() && key.chars().allMatch(Character::isDigit)) {
            int n = Integer.parseInt(key);
            return ex -> ex.capture(n);
        }
        // as nginx, the prefix alone is a name too ("$arg_" is a variable that is never found)
        for (Map.Entry<String, VariableFactory> e : builtins.prefixed.entrySet()) {
            if (key.startsWith(e.getKey())) {
                return e.getValue().create(name.substring(e.getKey().length()));
            }
        }
        throw ConfigException.placeless("unknown \"" + name + "\" variable");
    }

    /** A settable variable's index, or -1. */
    public int settableIndex(String name) {
        Integer i = settable.get(name.toLowerCase());
        return i == null ? -1 : i;
    }
}
