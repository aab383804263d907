package dev.portico.upstream;

import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Idle connections of one group (and, in "local" mode, one location) on one event loop: the
 * {@code keepalive} cache. At most {@code keepalive N} connections wait; the least recently used
 * is closed to make room. Connections are reused only by requests on the same event loop, so
 * nothing here is shared between threads.
 */
public final class KeepalivePool {
    private static final FastThreadLocal<Map<Object, KeepalivePool>> POOLS = new FastThreadLocal<>() {
        @Override
        protected Map<Object, KeepalivePool> initialValue() {
            return new HashMap<>();
        }
    };

    private final ArrayDeque<UpstreamConnection> idle = new ArrayDeque<>();

    private KeepalivePool() {
    }

    /** The pool for a key on the calling event loop. */
    public static KeepalivePool onThisLoop(Object key) {
        return POOLS.get().computeIfAbsent(key, k -> new KeepalivePool());
    }

    /**
     * An idle connection to the peer, most recently used first; null when there is none. A
     * connection offered during a read that has not ended yet is passed over: the rest of that
     * read could still hold bytes beyond its last response.
     */
    public UpstreamConnection acquire(Peer peer) {
        for (Iterator<UpstreamConnection> it = idle.iterator(); it.hasNext(); ) {
            UpstreamConnection c = it.next();
            if (!c.settling && c.peer().address().equals(peer.address())) {
                it.remove();
                c.pool = null;
                c.timer().disarm();
                if (c.isActive()) {
                    return c;
                }
                c.close();
            }
        }
        return null;
    }

    /**
     * Keeps a connection whose last response was read completely, unless it served
     * {@code keepalive_requests} or lived {@code keepalive_time}; closes it otherwise. This is the
     * only way into the pool, and it is taken only at an exact frame boundary: a byte the decoder
     * holds beyond the response closes the connection instead. Call it while the last piece of
     * the response is being handed on (within the read that carried it).
     */
    public void offer(UpstreamConnection c, KeepaliveConf conf) {
        if (!conf.enabled() || !c.isActive() || c.requests() >= conf.requests() || c.ageMillis() >= conf.timeMillis()
            || c.bytesBeyondResponse() != 0) {
            c.close();
            return;
        }
        while (idle.size() >= conf.maxCached()) {
            UpstreamConnection oldest = idle.pollLast();
            oldest.pool = null;
            oldest.close();
        }
        c.listener(null);
        c.pool = this;
        c.settling = true;
        idle.addFirst(c);
        c.timer().arm(conf.timeoutMillis(), () -> {
            remove(c);
            c.pool = null;
            c.close();
        });
        // keep reading so that a close by the peer is noticed while the connection waits
        c.channel().read();
    }

    void remove(UpstreamConnection c) {
        idle.remove(c);
    }

    public int idleCount() {
        return idle.size();
    }
}
