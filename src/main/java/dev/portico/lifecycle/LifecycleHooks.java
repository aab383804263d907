package dev.portico.lifecycle;

import dev.portico.core.Snapshot;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** What packages need told about the server's life: log files to reopen, a snapshot going live or away. */
public final class LifecycleHooks {
    public interface Hook {
        /** A snapshot is about to serve (at start and after each reload), before the swap. */
        default void activate(Snapshot next, Snapshot previous) {
        }

        /** SIGUSR1 / -s reopen. */
        default void reopen() {
        }

        /** The server stopped; flush and close. */
        default void stopped() {
        }
    }

    private static final List<Hook> HOOKS = new CopyOnWriteArrayList<>();

    private LifecycleHooks() {
    }

    public static void register(Hook h) {
        HOOKS.add(h);
    }

    static void activate(Snapshot next, Snapshot previous) {
        for (Hook h : HOOKS) {
            h.activate(next, previous);
        }
    }

    static void reopen() {
        for (Hook h : HOOKS) {
            h.reopen();
        }
    }

    static void stopped() {
        for (Hook h : HOOKS) {
            h.stopped();
        }
    }
}
