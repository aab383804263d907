package dev.portico.security;

import dev.portico.core.Clock;
import dev.portico.core.Zone;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The state of one {@code limit_req_zone}: nginx's leaky bucket per key, in milli-requests.
 * Shared by every event loop (one lock, held for a map lookup, as nginx's shared-memory mutex).
 * Holds at most {@code size / 64} keys, nginx's figure for its 64-byte states; when full, the
 * least recently used key is dropped, as nginx expires its oldest nodes. The zone also counts
 * what it decided (outside the lock), so the counts last as long as the buckets do.
 */
final class LimitReqZone {
    /** A key's bucket: the excess over the rate (milli-requests) and when it was last updated. */
    private static final class Bucket {
        long excess;
        long last;
    }

    static final Zone.Kind<LimitReqZone> KIND = new Zone.Kind<>() {
        @Override
        public String name() {
            return "limit_req";
        }

        @Override
        public LimitReqZone create(Zone.Spec spec) {
            return new LimitReqZone((int) Math.max(1, spec.size() / 64));
        }
    };

    private final int capacity;
    private final LinkedHashMap<String, Bucket> buckets;
    private long evicted;

    /** Requests this zone let through at once, held back, refused; a dry run's "would have" apart. */
    final LongAdder passed = new LongAdder();
    final LongAdder delayed = new LongAdder();
    final LongAdder rejected = new LongAdder();
    final LongAdder delayedDryRun = new LongAdder();
    final LongAdder rejectedDryRun = new LongAdder();

    LimitReqZone(int capacity) {
        this.capacity = capacity;
        this.buckets = new LinkedHashMap<>(Math.min(capacity, 1024), 0.75f, true);
    }

    /**
     * The excess this request would leave (milli-requests), or -1 when it is over
     * {@code burstMilli}; when {@code account}, the bucket takes it. nginx's
     * ngx_http_limit_req_lookup: the excess drains at {@code rateMilli} per second.
     */
    synchronized long lookup(String key, long rateMilli, long burstMilli, boolean account, Clock clock) {
        long now = clock.currentTimeMillis();
        Bucket b = buckets.get(key);
        if (b == null) {
            if (!account) {
                return 0;
            }
            b = new Bucket();
            b.last = now;
            if (buckets.size() >= capacity) {
                Iterator<Map.Entry<String, Bucket>> oldest = buckets.entrySet().iterator();
                oldest.next();
                oldest.remove();
                evicted++;
            }
            buckets.put(key, b);
            return 0;
        }
        long ms = now - b.last;
        if (ms < -60_000) {
            ms = 1;
        } else if (ms < 0) {
            ms = 0;
        }
        long excess = Math.max(0, b.excess - rateMilli * ms / 1000 + 1000);
        if (excess > burstMilli) {
            return -1;
        }
        if (account) {
            b.excess = excess;
            if (ms != 0) {
                b.last = now;
            }
        }
        return excess;
    }

    synchronized int keys() {
        return buckets.size();
    }

    synchronized long evicted() {
        return evicted;
    }

    /** The counters as status rows, named as nginx Plus names them. */
    void rows(String zone, List<Refusals.Row> out) {
        out.add(new Refusals.Row("limit_req", zone, "passed", passed.sum()));
        out.add(new Refusals.Row("limit_req", zone, "delayed", delayed.sum()));
        out.add(new Refusals.Row("limit_req", zone, "rejected", rejected.sum()));
        out.add(new Refusals.Row("limit_req", zone, "delayed_dry_run", delayedDryRun.sum()));
        out.add(new Refusals.Row("limit_req", zone, "rejected_dry_run", rejectedDryRun.sum()));
    }
}
