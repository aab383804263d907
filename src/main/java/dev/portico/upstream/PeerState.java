package dev.portico.upstream;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * What is known about one server at run time: passive failure accounting (nginx's
 * {@code fails}, {@code accessed}, {@code checked}) and active connections. Kept by group and
 * peer name in {@link PeerStates}, so that it survives a reload.
 */
public final class PeerState {
    final AtomicInteger conns = new AtomicInteger();
    // guarded by the balancer that uses them
    int fails;
    long accessedMillis;
    long checkedMillis;

    public int activeConnections() {
        return conns.get();
    }

    public synchronized int fails() {
        return fails;
    }
}
