package dev.portico.core;

import dev.portico.config.ConfigException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What the directives of one configuration read share while a snapshot is built: the prefix,
 * per-package registries (variables among them) (upstream groups, log formats...), the state of the
 * server the configuration is for, and the zones it declares. Owner of the main level;
 * directives reach it with {@code level.nearest(BuildContext.class)}.
 */
public final class BuildContext {
    private final Prefix prefix;
    private final ServerState server;
    private final Map<Class<?>, Object> registries = new HashMap<>();
    private final List<Zone<?>> zones = new ArrayList<>();

    /** A context with a fresh server state (tests of single compilers). */
    public BuildContext(Prefix prefix) {
        this(prefix, ServerState.fresh());
    }

    public BuildContext(Prefix prefix, ServerState server) {
        this.prefix = prefix;
        this.server = server;
    }

    public Prefix prefix() {
        return prefix;
    }

    /** The running server's state (a fresh one for {@code -t}). */
    public ServerState server() {
        return server;
    }

    public <T> T registry(Class<T> type, Supplier<T> create) {
        return type.cast(registries.computeIfAbsent(type, k -> create.get()));
    }

    public <T> T registry(Class<T> type) {
        return type.cast(registries.get(type));
    }

    /** Declares a zone for this configuration (see {@link ServerState#zone}). */
    public <T> Zone<T> zone(Zone.Kind<T> kind, Zone.Spec spec) throws ConfigException {
        // nginx's ngx_shared_memory_add: one name space for every kind of zone
        for (Zone<?> z : zones) {
            Zone.Spec was = z.spec();
            if (!was.name().equals(spec.name())) {
                continue;
            }
            if (!was.kind().equals(spec.kind())) {
                throw new ConfigException("the shared memory zone \"" + spec.name() + "\" is already declared for a different use");
            }
            if (was.size() != spec.size()) {
                throw new ConfigException("the size " + spec.size() + " of shared memory zone \"" + spec.name()
                    + "\" conflicts with already declared size " + was.size());
            }
            // the kind is the declaring directive's name (limit_req_zone, limit_conn_zone)
            throw new ConfigException(spec.kind() + " \"" + spec.name() + "\" is already bound to key \"" + was.key() + "\"");
        }
        Zone<T> z = server.zone(kind, spec);
        zones.add(z);
        return z;
    }

    /** The zones this configuration declares. */
    public List<Zone<?>> zones() {
        return List.copyOf(zones);
    }
}
