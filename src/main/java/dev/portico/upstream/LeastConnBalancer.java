package dev.portico.upstream;

/**
 * {@code least_conn}: the usable server with the fewest active connections relative to its
 * weight ({@code conns/weight}, compared by cross-multiplying as nginx does); ties are broken by
 * the smooth weighted round robin among the tied servers. Backups are used the same way when no
 * primary can be. Connection counts are shared by all event loops.
 */
final class LeastConnBalancer implements Balancer {
    private final RoundRobinBalancer rr;

    LeastConnBalancer(UpstreamGroup group) {
        this.rr = new RoundRobinBalancer(group);
    }

    @Override
    public Peer pick(BalancerRequest req) {
        synchronized (rr) {
            if (rr.single) {
                return rr.pick(req);
            }
            long now = rr.clock.currentTimeMillis();
            Peer best = least(rr.primary, req, now);
            if (best == null && rr.backup.length > 0) {
                best = least(rr.backup, req, now);
            }
            if (best == null) {
                rr.resetFails();
                return null;
            }
            RoundRobinBalancer.chosen(best, now);
            RoundRobinBalancer.take(best, req);
            return best;
        }
    }

    private Peer least(Peer[] peers, BalancerRequest req, long now) {
        Peer best = null;
        boolean many = false;
        for (Peer p : peers) {
            if (!RoundRobinBalancer.usable(p, req, now)) {
                continue;
            }
            if (best == null || ratioLess(p, best)) {
                best = p;
                many = false;
            } else if (!ratioLess(best, p)) {
                many = true;
            }
        }
        if (best == null || !many) {
            return best;
        }
        Peer min = best;
        return rr.smooth(peers, p -> p.index() >= min.index() && RoundRobinBalancer.usable(p, req, now)
            && !ratioLess(p, min) && !ratioLess(min, p));
    }

    /** a has fewer connections per weight unit than b. */
    private static boolean ratioLess(Peer a, Peer b) {
        return (long) a.state().conns.get() * b.weight() < (long) b.state().conns.get() * a.weight();
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
