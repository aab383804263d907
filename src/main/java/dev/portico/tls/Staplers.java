package dev.portico.tls;

import dev.portico.core.BuildContext;
import dev.portico.core.Clock;
import dev.portico.core.ServerState;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;

/**
 * A server's staplers, kept across reloads by {@link OcspTarget}: a configuration that staples
 * the same certificate the same way gets the stapler in force, and with it the response already
 * fetched, while one built for a new target is started only when its configuration goes live
 * ({@code nginx -t} and failed reloads fetch nothing). Fetches run on threads of their own, so a
 * slow responder holds up no event loop and no other certificate.
 */
final class Staplers {
    /** Where refreshes wait (one timer thread) and run (threads made as fetches need them). */
    record Pools(ScheduledExecutorService timer, ExecutorService fetchers) {
    }

    /** The staplers one build asked for, which replace those in force when it goes live. */
    private static final class Used {
        final Map<OcspTarget, Stapler> byTarget = new HashMap<>();
    }

    private final Clock clock;
    /** Guarded by this. */
    private Map<OcspTarget, Stapler> live = Map.of();
    private Pools pools;

    private Staplers(Clock clock) {
        this.clock = clock;
    }

    static Staplers of(ServerState server) {
        return server.part(Staplers.class, () -> new Staplers(server.clock()));
    }

    /** The stapler for {@code target} in the configuration being built: the live one when there is one. */
    synchronized Stapler stapler(OcspTarget target, BuildContext build) {
        Used used = build.registry(Used.class, Used::new);
        return used.byTarget.computeIfAbsent(target, t -> {
            Stapler s = live.get(t);
            return s != null ? s : Stapler.fetching(t, clock);
        });
    }

    /** {@code build} goes live: its staplers fetch, the others stop. */
    synchronized void switchTo(BuildContext build) {
        Used used = build.registry(Used.class);
        Map<OcspTarget, Stapler> next = used == null ? Map.of() : Map.copyOf(used.byTarget);
        for (Map.Entry<OcspTarget, Stapler> e : live.entrySet()) {
            if (next.get(e.getKey()) != e.getValue()) {
                e.getValue().stop();
            }
        }
        live = next;
        if (!next.isEmpty() && pools == null) {
            ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, daemon("portico-ocsp-timer"));
            timer.setRemoveOnCancelPolicy(true);
            pools = new Pools(timer, Executors.newCachedThreadPool(daemon("portico-ocsp-fetch")));
        }
        for (Stapler s : next.values()) {
            s.start(pools);
        }
    }

    /** The server stopped. */
    synchronized void stop() {
        for (Stapler s : live.values()) {
            s.stop();
        }
        live = Map.of();
        if (pools != null) {
            pools.timer().shutdownNow();
            pools.fetchers().shutdownNow();
            pools = null;
        }
    }

    private static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
