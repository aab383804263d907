package dev.portico.core;

import dev.portico.config.ConfigException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * What a running server keeps across reloads, owned by that server alone: per-module state by
 * type (peer failure counts, health checkers, resolvers) and named zones, plus the clock that
 * state reads. Handed to every snapshot build, so a new configuration finds what the previous
 * one left; two servers in one JVM share nothing.
 */
public final class ServerState {
    private final Clock clock;
    private final Map<Class<?>, Object> parts = new ConcurrentHashMap<>();
    /** Zones in force, by kind and name; guarded by this. */
    private final Map<String, Zone<?>> zones = new HashMap<>();

    public ServerState(Clock clock) {
        this.clock = clock;
    }

    /** State for a configuration that will not serve ({@code -t}, {@code -s}) or a server about to start. */
    public static ServerState fresh() {
        return new ServerState(Clock.SYSTEM);
    }

    public Clock clock() {
        return clock;
    }

    /** The server's one instance of a module's state, created on first use. */
    public <T> T part(Class<T> type, Supplier<T> create) {
        return type.cast(parts.computeIfAbsent(type, k -> create.get()));
    }

    /**
     * The zone a configuration being built declares: the one in force when kind, name, size and
     * key match, else a new one that takes effect with the configuration. A changed key or size
     * is refused with nginx's message, and the configuration in force keeps its zone.
     */
    public synchronized <T> Zone<T> zone(Zone.Kind<T> kind, Zone.Spec spec) throws ConfigException {
        Zone<?> live = zones.get(spec.id());
        if (live != null) {
            Zone.Spec before = live.spec();
            if (before.size() != spec.size()) {
                throw new ConfigException("the size " + spec.size() + " of shared memory zone \"" + spec.name()
                    + "\" conflicts with already declared size " + before.size());
            }
            if (!java.util.Objects.equals(before.key(), spec.key())) {
                throw new ConfigException(kind.keyChanged(spec, before));
            }
            @SuppressWarnings("unchecked")
            Zone<T> same = (Zone<T>) live;
            return same;
        }
        return new Zone<>(spec, kind.create(spec));
    }

    /**
     * Puts the zones of a configuration going live in force. Zones it no longer declares are
     * returned, to be disposed of once the previous configuration's last request has ended.
     */
    public synchronized List<Zone<?>> adopt(List<Zone<?>> declared) {
        Map<String, Zone<?>> next = new HashMap<>();
        for (Zone<?> z : declared) {
            next.put(z.spec().id(), z);
        }
        List<Zone<?>> gone = new ArrayList<>();
        for (Map.Entry<String, Zone<?>> e : zones.entrySet()) {
            if (next.get(e.getKey()) != e.getValue()) {
                gone.add(e.getValue());
            }
        }
        zones.clear();
        zones.putAll(next);
        return gone;
    }

    /** Disposes of zones that {@link #adopt} returned. */
    public static void dispose(List<Zone<?>> gone) {
        for (Zone<?> z : gone) {
            z.dispose();
        }
    }

    /** Zones in force (for the status page and tests). */
    public synchronized List<Zone<?>> zones() {
        return List.copyOf(zones.values());
    }
}
