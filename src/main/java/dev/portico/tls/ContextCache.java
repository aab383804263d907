package dev.portico.tls;

import dev.portico.config.ConfigException;
import dev.portico.core.BuildContext;
import dev.portico.core.ServerState;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The SSL contexts a server keeps across reloads: a configuration whose material for a server
 * is unchanged (same certificate and key bytes, same settings) gets the context in force, and
 * with it the sessions clients can resume; changed material builds a new one. Contexts no
 * configuration asked for in the latest build are dropped from the cache (the snapshots still
 * using them hold their own references).
 */
final class ContextCache {
    /** One pair of one material, with or without {@code h2} among the ALPN protocols. */
    private record Key(TlsMaterial material, int pair, boolean http2) {
    }

    private final Map<Key, SslContext> live = new ConcurrentHashMap<>();
    /** Where certificates named by server name are read: files and key parsing stay off the event loops. */
    private final java.util.concurrent.ExecutorService loader = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "portico-tls-loader");
        t.setDaemon(true);
        return t;
    });

    java.util.concurrent.Executor loader() {
        return loader;
    }

    /** The contexts one build asked for, which become the cache when it is the latest. */
    private static final class Used {
        final Map<Key, SslContext> byMaterial = new HashMap<>();
    }

    static ContextCache of(ServerState server) {
        return server.part(ContextCache.class, ContextCache::new);
    }

    SslContext context(TlsMaterial m, int pair, BuildContext build, SslProvider provider, boolean http2) throws ConfigException {
        Key key = new Key(m, pair, http2);
        Used used = build.registry(Used.class, Used::new);
        SslContext ctx = used.byMaterial.get(key);
        if (ctx == null) {
            ctx = live.get(key);
            if (ctx == null) {
                ctx = ContextFactory.build(m, pair, provider, http2);
            }
            used.byMaterial.put(key, ctx);
            live.put(key, ctx);
        }
        return ctx;
    }

    /** A configuration went live: only what it uses stays cached. */
    void retainOnly(BuildContext build) {
        Used used = build.registry(Used.class);
        live.keySet().retainAll(used == null ? java.util.Set.of() : used.byMaterial.keySet());
    }
}
