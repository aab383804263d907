package dev.portico.http;

import dev.portico.observability.ErrorLog;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * The client connections of one event loop, counted against {@code worker_connections} (a cap per
 * loop, as nginx's is per worker), and the ones that may be closed to make room for a new client:
 * nginx's reusable connections queue and {@code ngx_drain_connections}. Used only from its own
 * event loop, so it takes no locks.
 */
final class LoopConnections {
    /** What an open connection is doing; the reusable ones are given up in this order. */
    enum Use {
        /** An idle keep-alive connection between requests: nginx reuses it first. */
        KEEPALIVE,
        /** Accepted, not one byte received yet: nginx reuses it too. */
        WAITING,
        /** The response is sent and the rest of the request is being read and dropped. */
        LINGERING,
        /** Part of a request head has arrived (nginx never reuses these; a slowloris flood would otherwise hold every slot). */
        PARTIAL_HEAD,
        /** A request is being served, or a tunnel runs: never closed to make room. */
        BUSY
    }

    /** One counted connection; linked into the queue of its use while reusable (nginx's ngx_queue: no allocation per move). */
    static final class Slot {
        private final Runnable closer;
        private Use use = Use.BUSY;
        private boolean counted = true;
        private Slot prev;
        private Slot next;

        private Slot(Runnable closer) {
            this.closer = closer;
        }
    }

    /** The reusable connections of one use, oldest first: a ring through a sentinel. */
    private static final class Queue {
        private final Slot head = new Slot(null);

        Queue() {
            head.prev = head;
            head.next = head;
        }

        void addLast(Slot s) {
            s.prev = head.prev;
            s.next = head;
            head.prev.next = s;
            head.prev = s;
        }

        static void unlink(Slot s) {
            s.prev.next = s.next;
            s.next.prev = s.prev;
            s.prev = null;
            s.next = null;
        }

        Slot oldest() {
            return head.next == head ? null : head.next;
        }
    }

    private static final FastThreadLocal<LoopConnections> CURRENT = new FastThreadLocal<>() {
        @Override
        protected LoopConnections initialValue() {
            return new LoopConnections();
        }
    };
    /**
     * The second in which this loop last wrote the alert / the reuse warning: at most one line a
     * second each, per loop as nginx's per worker (a flood once wrote thousands of alerts).
     */
    private long lastAlert = -1;
    private long lastReuseWarn = -1;

    private int open;
    private final Queue[] reusable = new Queue[Use.BUSY.ordinal()];
    private int reusableCount;

    private LoopConnections() {
        for (int i = 0; i < reusable.length; i++) {
            reusable[i] = new Queue();
        }
    }

    /** The registry of the calling event loop. */
    static LoopConnections current() {
        return CURRENT.get();
    }

    /**
     * Counts a new connection, first closing reusable ones when fewer than 1/16 of {@code cap}
     * would be free (as nginx drains); null when no room could be made (the caller closes it).
     */
    Slot admit(int cap, Runnable closer) {
        if (cap - open <= cap / 16 && reusableCount > 0) {
            drain(cap);
        }
        if (open >= cap) {
            long now = System.currentTimeMillis() / 1000;
            if (now != lastAlert) {
                lastAlert = now;
                ErrorLog.alert(cap + " worker_connections are not enough");
            }
            return null;
        }
        open++;
        return new Slot(closer);
    }

    /** nginx closes max(1, min(32, reusable / 8)) of the oldest reusable connections per shortage. */
    private void drain(int cap) {
        long now = System.currentTimeMillis() / 1000;
        if (now != lastReuseWarn) {
            lastReuseWarn = now;
            ErrorLog.warn(cap + " worker_connections are not enough, reusing connections");
        }
        int n = Math.max(1, Math.min(32, reusableCount / 8));
        for (Queue tier : reusable) {
            Slot s;
            while (n > 0 && (s = tier.oldest()) != null) {
                Queue.unlink(s);
                reusableCount--;
                s.use = Use.BUSY;
                release(s);
                n--;
                s.closer.run();
            }
        }
    }

    /** Marks what the connection does now; a reusable one goes to the back of its queue (newest). */
    void use(Slot s, Use use) {
        if (s == null || !s.counted || s.use == use) {
            return;
        }
        if (s.use != Use.BUSY) {
            Queue.unlink(s);
            reusableCount--;
        }
        s.use = use;
        if (use != Use.BUSY) {
            reusable[use.ordinal()].addLast(s);
            reusableCount++;
        }
    }

    /** The connection closed (or was chosen for closing): its slot is free at once. */
    void release(Slot s) {
        if (!s.counted) {
            return;
        }
        use(s, Use.BUSY);
        s.counted = false;
        open--;
    }

    int open() {
        return open;
    }
}
