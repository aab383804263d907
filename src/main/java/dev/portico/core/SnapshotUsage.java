package dev.portico.core;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many exchanges and tunnels still run on one snapshot, so that a reload can report when
 * the previous configuration has drained (nginx's old workers exiting).
 */
public final class SnapshotUsage {
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile Runnable onDrained;

    public void enter() {
        inFlight.incrementAndGet();
    }

    public void exit() {
        if (inFlight.decrementAndGet() == 0) {
            Runnable r = onDrained;
            if (r != null) {
                onDrained = null;
                r.run();
            }
        }
    }

    public int inFlight() {
        return inFlight.get();
    }

    /** Runs {@code r} once nothing runs on the snapshot any more (at once if already idle). */
    public void whenDrained(Runnable r) {
        onDrained = r;
        if (inFlight.get() == 0 && onDrained == r) {
            onDrained = null;
            r.run();
        }
    }
}
