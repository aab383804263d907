package dev.portico.upstream;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * What is known about one server at run time: passive failure accounting (nginx's
 * {@code fails}, {@code accessed}, {@code checked}) and active connections. Kept by group and
 * peer name in {@link PeerStates}, so that it survives a reload.
 */
public final class PeerState {
    private final dev.portico.core.Clock clock;
    final AtomicInteger conns = new AtomicInteger();
    final java.util.concurrent.atomic.AtomicLong requests = new java.util.concurrent.atomic.AtomicLong();
    final java.util.concurrent.atomic.AtomicLong failures = new java.util.concurrent.atomic.AtomicLong();
    /** Out of rotation by active health checks (set by the checker thread, read by balancers). */
    private volatile boolean unhealthy;
    /** When the server last became usable again (slow_start ramps its weight from here); 0: never failed. */
    volatile long recoveredMillis;
    private volatile long lastCheckMillis;
    private volatile String lastCheckResult;
    // guarded by the balancer that uses them
    int fails;
    long accessedMillis;
    long checkedMillis;

    PeerState(dev.portico.core.Clock clock) {
        this.clock = clock;
    }

    /** The clock failure windows ({@code fail_timeout}, {@code slow_start}) are measured with. */
    public dev.portico.core.Clock clock() {
        return clock;
    }

    public int activeConnections() {
        return conns.get();
    }

    public synchronized int fails() {
        return fails;
    }

    public boolean unhealthy() {
        return unhealthy;
    }

    public void unhealthy(boolean v) {
        if (unhealthy && !v) {
            recoveredMillis = clock.currentTimeMillis();
        }
        unhealthy = v;
    }

    /** Requests sent to this server (attempts). */
    public long requests() {
        return requests.get();
    }

    /** Attempts that failed (counted towards max_fails). */
    public long failures() {
        return failures.get();
    }

    /** Wall-clock time of the last active check, 0 if none. */
    public long lastCheckMillis() {
        return lastCheckMillis;
    }

    /** "passed", or why the last active check failed; null if none ran. */
    public String lastCheckResult() {
        return lastCheckResult;
    }

    public void checked(long when, String result) {
        lastCheckMillis = when;
        lastCheckResult = result;
    }
}
