package dev.portico.config.directive;

import java.util.Arrays;

/**
 * The values in force at one level after merging with the outer levels: an immutable flat array
 * indexed by {@link Slot#index()}. Built once per level when the snapshot is built.
 */
public final class Settings {
    private final Object[] values;

    private Settings(Object[] values) {
        this.values = values;
    }

    /** Settings with every slot at its default. */
    public static Settings defaults() {
        return new Settings(new Object[0]);
    }

    @SuppressWarnings("unchecked")
    public <T> T get(Slot<T> slot) {
        int i = slot.index();
        Object v = i < values.length ? values[i] : null;
        return v != null ? (T) v : slot.defaultValue();
    }

    /** True if some level on the chain set the slot explicitly. */
    public boolean isSet(Slot<?> slot) {
        int i = slot.index();
        return i < values.length && values[i] != null;
    }

    /** Merges the values set at one level over its parent's resolved settings, as nginx's merge functions do. */
    static Settings merge(Settings parent, Object[] own) {
        int n = Math.max(Slot.count(), own.length);
        Object[] out = Arrays.copyOf(parent.values, n);
        for (int i = 0; i < n; i++) {
            Object v = i < own.length ? own[i] : null;
            if (v != null) {
                out[i] = v;
            }
        }
        return new Settings(out);
    }

    /** Removes values of slots that are not inherited (used when entering a new level). */
    static Settings inheritable(Settings parent, java.util.List<Slot<?>> localSlots) {
        if (localSlots.isEmpty()) {
            return parent;
        }
        Object[] out = parent.values.clone();
        for (Slot<?> s : localSlots) {
            if (s.index() < out.length) {
                out[s.index()] = null;
            }
        }
        return new Settings(out);
    }
}
