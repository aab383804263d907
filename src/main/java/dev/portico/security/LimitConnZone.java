package dev.portico.security;

import dev.portico.core.Zone;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The state of one {@code limit_conn_zone}: how many requests each key has in progress. Shared
 * by every event loop under one lock (nginx's shared-memory mutex). A key whose count falls to
 * zero is forgotten; at most {@code size / 64} keys are counted at once, and a new key beyond
 * that is refused, as nginx refuses when its zone has no room. The zone also counts what it
 * decided (outside the lock), so the counts last as long as the zone does.
 */
final class LimitConnZone {
    static final Zone.Kind<LimitConnZone> KIND = new Zone.Kind<>() {
        @Override
        public String name() {
            return "limit_conn_zone";
        }

        @Override
        public LimitConnZone create(Zone.Spec spec) {
            return new LimitConnZone((int) Math.max(1, spec.size() / 64));
        }
    };

    private final int capacity;
    private final Map<String, int[]> counts = new HashMap<>();

    /** Requests this zone let in and refused; a dry run's "would have refused" apart. */
    final LongAdder passed = new LongAdder();
    final LongAdder rejected = new LongAdder();
    final LongAdder rejectedDryRun = new LongAdder();

    LimitConnZone(int capacity) {
        this.capacity = capacity;
    }

    /** Takes one for {@code key} if fewer than {@code limit} are in progress; false otherwise. */
    synchronized boolean acquire(String key, int limit) {
        int[] c = counts.get(key);
        if (c == null) {
            if (counts.size() >= capacity) {
                return false;
            }
            c = new int[1];
            counts.put(key, c);
        }
        if (c[0] >= limit) {
            return false;
        }
        c[0]++;
        return true;
    }

    synchronized void release(String key) {
        int[] c = counts.get(key);
        if (c != null && --c[0] <= 0) {
            counts.remove(key);
        }
    }

    synchronized int inProgress(String key) {
        int[] c = counts.get(key);
        return c == null ? 0 : c[0];
    }

    /** The counters as status rows, named as nginx Plus names them. */
    void rows(String zone, List<Refusals.Row> out) {
        out.add(new Refusals.Row("limit_conn", zone, "passed", passed.sum()));
        out.add(new Refusals.Row("limit_conn", zone, "rejected", rejected.sum()));
        out.add(new Refusals.Row("limit_conn", zone, "rejected_dry_run", rejectedDryRun.sum()));
    }
}
