package dev.portico.config.directive;

import dev.portico.config.ConfNode;
import dev.portico.config.ConfigException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One block being read (main, http, a server, a location, an upstream...): the values set
 * directly in it, and an owner object that the block's directives fill in (for example the
 * server's builder). Levels form the same chain as the blocks in the file.
 */
public final class Level {
    private final Context context;
    private final Level parent;
    private final ConfNode node;
    private final Object owner;
    private Object[] own = new Object[0];
    private final Map<Class<?>, Object> attachments = new HashMap<>();
    private Settings resolved;

    public Level(Context context, Level parent, ConfNode node, Object owner) {
        this.context = context;
        this.parent = parent;
        this.node = node;
        this.owner = owner;
    }

    public Context context() {
        return context;
    }

    public Level parent() {
        return parent;
    }

    /** The block directive that opened this level ({@code null} for main). */
    public ConfNode node() {
        return node;
    }

    @SuppressWarnings("unchecked")
    public <T> T owner(Class<T> type) {
        if (!type.isInstance(owner)) {
            throw new IllegalStateException("level " + context + " is owned by " + owner + ", not " + type.getSimpleName());
        }
        return (T) owner;
    }

    public Object owner() {
        return owner;
    }

    /** The nearest enclosing level (this one included) whose owner is of the given type. */
    public <T> T nearest(Class<T> type) {
        for (Level l = this; l != null; l = l.parent) {
            if (type.isInstance(l.owner)) {
                return type.cast(l.owner);
            }
        }
        return null;
    }

    /** Per-level scratch state of a feature package (e.g. the rewrite statements of a location). */
    public <T> T attachment(Class<T> type, java.util.function.Supplier<T> create) {
        return type.cast(attachments.computeIfAbsent(type, k -> create.get()));
    }

    public <T> T attachment(Class<T> type) {
        return type.cast(attachments.get(type));
    }

    /** Sets a slot at this level; a second set of the same slot is nginx's "is duplicate". */
    public <T> void set(Slot<T> slot, T value, ConfNode at) throws ConfigException {
        if (getOwn(slot) != null) {
            throw at.error("\"" + at.name() + "\" directive is duplicate");
        }
        put(slot, value);
    }

    /** Sets a slot, replacing what was there (for directives nginx lets repeat, last wins). */
    public <T> void put(Slot<T> slot, T value) {
        if (resolved != null) {
            throw new IllegalStateException("level already resolved");
        }
        if (slot.index() >= own.length) {
            own = Arrays.copyOf(own, Math.max(Slot.count(), slot.index() + 1));
        }
        own[slot.index()] = value;
    }

    @SuppressWarnings("unchecked")
    public <T> T getOwn(Slot<T> slot) {
        return slot.index() < own.length ? (T) own[slot.index()] : null;
    }

    /** Appends to a list slot set at this level (a list is inherited only when a level has none of its own). */
    @SuppressWarnings("unchecked")
    public <E> void add(Slot<List<E>> slot, E element) {
        List<E> list = getOwn(slot);
        if (list == null) {
            list = new ArrayList<>();
            put(slot, list);
        }
        list.add(element);
    }

    /** The values in force here: own values over the parent's resolved values, defaults beneath. */
    public Settings resolve() {
        if (resolved == null) {
            Settings base = parent == null ? Settings.defaults() : parent.resolve();
            base = Settings.inheritable(base, LocalSlots.LIST);
            Object[] frozen = own.clone();
            for (int i = 0; i < frozen.length; i++) {
                if (frozen[i] instanceof List<?> l) {
                    frozen[i] = List.copyOf(l);
                }
            }
            resolved = Settings.merge(base, frozen);
        }
        return resolved;
    }

    /** Lazily collected list of non-inherited slots. */
    private static final class LocalSlots {
        static final List<Slot<?>> LIST = new ArrayList<>();
    }

    static void registerLocal(Slot<?> s) {
        if (!s.inherited()) {
            LocalSlots.LIST.add(s);
        }
    }
}
