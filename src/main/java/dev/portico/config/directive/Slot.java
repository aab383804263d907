package dev.portico.config.directive;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A typed setting: one per directive value. Each slot has a small integer index so that a
 * resolved {@link Settings} is a flat array and a lookup on the request path is an array read.
 *
 * <p>Slots are registered once, in static initialisers of the feature packages.
 */
public final class Slot<T> {
    private static final List<Slot<?>> ALL = Collections.synchronizedList(new ArrayList<>());

    private final int index;
    private final String name;
    private final T defaultValue;
    private final boolean inherited;

    private Slot(String name, T defaultValue, boolean inherited) {
        this.name = name;
        this.defaultValue = defaultValue;
        this.inherited = inherited;
        synchronized (ALL) {
            this.index = ALL.size();
            ALL.add(this);
        }
        Level.registerLocal(this);
    }

    /** A slot inherited from outer levels (http -> server -> location) when not set. */
    public static <T> Slot<T> of(String name, T defaultValue) {
        return new Slot<>(name, defaultValue, true);
    }

    /** A slot that every level must set for itself (e.g. {@code internal}). */
    public static <T> Slot<T> local(String name, T defaultValue) {
        return new Slot<>(name, defaultValue, false);
    }

    static int count() {
        return ALL.size();
    }

    public int index() {
        return index;
    }

    public String name() {
        return name;
    }

    public T defaultValue() {
        return defaultValue;
    }

    public boolean inherited() {
        return inherited;
    }

    @Override
    public String toString() {
        return "Slot(" + name + ")";
    }
}
