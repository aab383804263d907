package dev.portico.upstream;

import java.util.List;

/**
 * nginx's default method: smooth weighted round robin over the primary servers, skipping those
 * that are down, over {@code max_conns}, or failed {@code max_fails} times within
 * {@code fail_timeout}; the {@code backup} servers only when no primary can be used. When
 * nothing can be used, failure counts are reset for a quick recovery and the request gets
 * "no live upstreams". A group with a single primary server never marks it failed and makes
 * a single attempt (ngx_http_upstream_round_robin.c).
 */
public final class RoundRobinBalancer implements Balancer {
    final Peer[] primary;
    final Peer[] backup;
    final int[] currentWeight;
    final int[] effectiveWeight;
    final boolean single;
    private final int tries;
    /** The server's clock (the peers'), for fail_timeout windows. */
    final dev.portico.core.Clock clock;

    public RoundRobinBalancer(UpstreamGroup group) {
        List<Peer> p = group.primary();
        List<Peer> b = group.backup();
        this.primary = p.toArray(new Peer[0]);
        this.backup = b.toArray(new Peer[0]);
        this.clock = primary.length > 0 ? primary[0].state().clock() : dev.portico.core.Clock.SYSTEM;
        int n = primary.length + backup.length;
        this.currentWeight = new int[n];
        this.effectiveWeight = new int[n];
        for (Peer peer : p) {
            effectiveWeight[peer.index()] = peer.weight();
        }
        for (Peer peer : b) {
            effectiveWeight[peer.index()] = peer.weight();
        }
        // nginx: a group with backups is never "single"
        this.single = primary.length == 1 && backup.length == 0;
        int t = 0;
        for (Peer peer : primary) {
            t += peer.down() ? 0 : 1;
        }
        for (Peer peer : backup) {
            t += peer.down() ? 0 : 1;
        }
        this.tries = single ? 1 : Math.max(1, t);
    }

    @Override
    public int tries() {
        return tries;
    }

    @Override
    public synchronized Peer pick(BalancerRequest req) {
        long now = clock.currentTimeMillis();
        if (single) {
            Peer p = primary[0];
            if (p.down() || p.state().unhealthy() || p.maxConns() > 0 && p.state().conns.get() >= p.maxConns()) {
                return null;
            }
            take(p, req);
            return p;
        }
        Peer best = choose(primary, req, now);
        if (best == null && backup.length > 0) {
            best = choose(backup, req, now);
        }
        if (best == null) {
            resetFails();
            return null;
        }
        take(best, req);
        return best;
    }

    /** Nothing could be used: mark every peer live again for a quick recovery (nginx does the same). */
    void resetFails() {
        for (Peer p : primary) {
            p.state().fails = 0;
        }
        for (Peer p : backup) {
            p.state().fails = 0;
        }
    }

    static void take(Peer p, BalancerRequest req) {
        req.markTried(p);
        p.state().conns.incrementAndGet();
        p.state().requests.incrementAndGet();
    }

    /** Not tried by this request, not down, not failed within fail_timeout, under max_conns. */
    static boolean usable(Peer p, BalancerRequest req, long now) {
        if (req.tried(p) || p.down() || p.state().unhealthy()) {
            return false;
        }
        PeerState s = p.state();
        if (p.maxFails() > 0 && s.fails >= p.maxFails() && now - s.checkedMillis <= p.failTimeoutMillis()) {
            return false;
        }
        return p.maxConns() <= 0 || s.conns.get() < p.maxConns();
    }

    /** nginx starts a new fail_timeout window when a peer is chosen after the previous one ended. */
    static void chosen(Peer p, long now) {
        PeerState s = p.state();
        if (now - s.checkedMillis > p.failTimeoutMillis()) {
            s.checkedMillis = now;
        }
    }

    /**
     * slow_start: after a server recovers, its weight grows linearly from 1 to its full value
     * over the period (NGINX Plus); outside that window the effective weight is used as is.
     */
    static int rampedWeight(Peer p, int effective) {
        long period = p.slowStartMillis();
        long since = p.state().recoveredMillis;
        if (period <= 0 || since == 0) {
            return effective;
        }
        long elapsed = p.state().clock().currentTimeMillis() - since;
        if (elapsed < 0 || elapsed >= period) {
            return effective;
        }
        int ramp = (int) Math.max(1, p.weight() * elapsed / period);
        return Math.min(effective, ramp);
    }

    /** One step of the smooth algorithm over the peers that pass {@code filter}; the winner's current weight is lowered by the total. */
    Peer smooth(Peer[] peers, java.util.function.Predicate<Peer> filter) {
        Peer best = null;
        int total = 0;
        for (Peer p : peers) {
            if (!filter.test(p)) {
                continue;
            }
            int i = p.index();
            int ew = rampedWeight(p, effectiveWeight[i]);
            currentWeight[i] += ew;
            total += ew;
            if (effectiveWeight[i] < p.weight()) {
                effectiveWeight[i]++;
            }
            if (best == null || currentWeight[i] > currentWeight[best.index()]) {
                best = p;
            }
        }
        if (best != null) {
            currentWeight[best.index()] -= total;
        }
        return best;
    }

    private Peer choose(Peer[] peers, BalancerRequest req, long now) {
        Peer best = smooth(peers, p -> usable(p, req, now));
        if (best != null) {
            chosen(best, now);
        }
        return best;
    }

    @Override
    public synchronized boolean release(Peer peer, BalancerRequest req, boolean failed) {
        PeerState s = peer.state();
        s.conns.decrementAndGet();
        boolean disabled = false;
        if (failed) {
            s.failures.incrementAndGet();
        }
        if (single) {
            // one server: never marked failed, and no further attempt (nginx sets tries to 0)
            while (req.triesLeft() > 0) {
                req.useTry();
            }
            return false;
        }
        if (failed) {
            long now = clock.currentTimeMillis();
            s.fails++;
            s.accessedMillis = now;
            s.checkedMillis = now;
            int i = peer.index();
            if (peer.maxFails() > 0) {
                effectiveWeight[i] -= peer.weight() / peer.maxFails();
                disabled = s.fails >= peer.maxFails();
                if (disabled) {
                    // usable again once fail_timeout has passed: slow_start counts from then
                    s.recoveredMillis = now + peer.failTimeoutMillis();
                }
            }
            if (effectiveWeight[i] < 0) {
                effectiveWeight[i] = 0;
            }
        } else if (s.accessedMillis < s.checkedMillis) {
            s.fails = 0;
        }
        if (req.triesLeft() > 0) {
            req.useTry();
        }
        return disabled;
    }
}
