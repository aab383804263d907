package dev.portico.upstream;

/**
 * The hash methods give up after 20 unusable picks and fall back to round robin, as nginx does;
 * they share the round-robin balancer's weights and failure accounting.
 */
abstract class HashingBalancer implements Balancer {
    static final int MAX_HASH_TRIES = 20;
    final RoundRobinBalancer rr;

    HashingBalancer(UpstreamGroup group) {
        this.rr = new RoundRobinBalancer(group);
    }

    @Override
    public final Peer pick(BalancerRequest req) {
        synchronized (rr) {
            if (rr.single || rr.primary.length == 0 || req.hashTries > MAX_HASH_TRIES) {
                return rr.pick(req);
            }
            Peer p = pickLocked(req, rr.clock.currentTimeMillis());
            return p == null ? rr.pick(req) : p;
        }
    }

    /** The hashed choice, already taken (marked tried, counted); null to fall back to round robin. */
    abstract Peer pickLocked(BalancerRequest req, long now);

    /** Sum of the primary weights, counting down servers too (nginx's total_weight). */
    final int totalWeight() {
        int t = 0;
        for (Peer p : rr.primary) {
            t += p.weight();
        }
        return t;
    }

    /** The primary peer a point in [0, total weight) falls on. */
    final Peer byWeight(long w) {
        for (Peer p : rr.primary) {
            if (w < p.weight()) {
                return p;
            }
            w -= p.weight();
        }
        return rr.primary[rr.primary.length - 1];
    }

    final Peer take(Peer p, BalancerRequest req, long now) {
        RoundRobinBalancer.chosen(p, now);
        RoundRobinBalancer.take(p, req);
        return p;
    }

    @Override
    public boolean release(Peer peer, BalancerRequest req, boolean failed) {
        return rr.release(peer, req, failed);
    }

    @Override
    public int tries() {
        return rr.tries();
    }
}
