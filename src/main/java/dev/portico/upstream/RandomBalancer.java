package dev.portico.upstream;

import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code random}: a server drawn at random with probability proportional to its weight.
 * {@code random two [least_conn]}: two distinct servers are drawn and the one with fewer active
 * connections per weight unit is used (nginx's "power of two choices"). Unusable draws are
 * repeated up to 20 times, then round robin takes over, as in nginx.
 */
final class RandomBalancer extends HashingBalancer {
    private final boolean two;
    private final int totalWeight;

    RandomBalancer(UpstreamGroup group, boolean two) {
        super(group);
        this.two = two;
        this.totalWeight = totalWeight();
    }

    @Override
    Peer pickLocked(BalancerRequest req, long now) {
        Peer first = draw(req, now, null);
        if (first == null || !two || usableCount(req, now) < 2) {
            return first == null ? null : take(first, req, now);
        }
        Peer second = draw(req, now, first);
        if (second == null) {
            return take(first, req, now);
        }
        // fewer connections per weight unit wins; a tie keeps the first draw
        long a = (long) first.state().conns.get() * second.weight();
        long b = (long) second.state().conns.get() * first.weight();
        return take(b < a ? second : first, req, now);
    }

    private Peer draw(BalancerRequest req, long now, Peer not) {
        while (true) {
            Peer p = byWeight(ThreadLocalRandom.current().nextInt(totalWeight));
            if (p != not && RoundRobinBalancer.usable(p, req, now)) {
                return p;
            }
            if (++req.hashTries > MAX_HASH_TRIES) {
                return null;
            }
        }
    }

    private int usableCount(BalancerRequest req, long now) {
        int n = 0;
        for (Peer p : rr.primary) {
            n += RoundRobinBalancer.usable(p, req, now) ? 1 : 0;
        }
        return n;
    }
}
