package dev.portico.health;

import dev.portico.observability.ErrorLog;
import dev.portico.observability.LogLevel;
import dev.portico.upstream.Peer;
import dev.portico.upstream.PeerState;
import dev.portico.upstream.UpstreamGroup;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The active checks of one group for one {@code health_check} line: every interval (plus
 * jitter) each server is probed on the shared checker threads; {@code fails} consecutive failed
 * checks take it out of rotation, {@code passes} consecutive passes bring it back. Counters are
 * per peer name, so a reload that keeps a server keeps its progress.
 */
final class GroupChecker {
    /** Consecutive results per group and peer name, kept across reloads (the server's). */
    private Map<String, int[]> streaks;

    private final UpstreamGroup group;
    private final CheckSpec spec;
    private final Match match;
    private final List<ScheduledFuture<?>> tasks = new ArrayList<>();
    private volatile boolean stopped;

    /** The location's TLS to its backends ({@code proxy_pass https://}), or null. */
    private final dev.portico.proxy.ProxyModule.ProbeTls tls;

    GroupChecker(UpstreamGroup group, CheckSpec spec, Match match, dev.portico.proxy.ProxyModule.ProbeTls tls) {
        this.tls = tls;
        this.group = group;
        this.spec = spec;
        this.match = match;
    }

    String groupName() {
        return group.name();
    }

    /** Applies mandatory (new servers wait for a first pass) and schedules the checks; the first runs at once. */
    void start(ScheduledExecutorService pool, Map<String, int[]> streaks) {
        this.streaks = streaks;
        List<Peer> peers = new ArrayList<>(group.primary());
        peers.addAll(group.backup());
        for (Peer p : peers) {
            PeerState s = p.state();
            if (spec.mandatory() && (!spec.persistent() || s.lastCheckMillis() == 0 || s.unhealthy())) {
                s.unhealthy(true);
                streak(p)[1] = 0;
            }
            tasks.add(pool.schedule(() -> run(pool, p), 0, TimeUnit.MILLISECONDS));
        }
    }

    /** Every server of the group back in rotation (its checks are gone). */
    void releasePeers() {
        for (Peer p : group.primary()) {
            p.state().unhealthy(false);
        }
        for (Peer p : group.backup()) {
            p.state().unhealthy(false);
        }
    }

    void stop() {
        stopped = true;
        for (ScheduledFuture<?> f : tasks) {
            f.cancel(false);
        }
    }

    private int[] streak(Peer p) {
        return streaks.computeIfAbsent(group.name() + "\u0000" + p.name(), k -> new int[2]);
    }

    private void run(ScheduledExecutorService pool, Peer p) {
        if (stopped) {
            return;
        }
        try {
            check(p);
        } finally {
            if (!stopped) {
                long delay = spec.intervalMillis()
                    + (spec.jitterMillis() > 0 ? ThreadLocalRandom.current().nextLong(spec.jitterMillis() + 1) : 0);
                synchronized (tasks) {
                    if (!stopped) {
                        tasks.add(pool.schedule(() -> run(pool, p), delay, TimeUnit.MILLISECONDS));
                        tasks.removeIf(ScheduledFuture::isDone);
                    }
                }
            }
        }
    }

    void check(Peer p) {
        String failure;
        // own timeouts, bounded by the interval (at least 1s, at most 60s as proxy_*_timeout's default)
        int timeout = (int) Math.max(1000, Math.min(spec.intervalMillis(), 60_000L));
        try {
            Probe.Response r = Probe.get(Probe.withPort(p.address(), spec.port()), group.name(), spec.uri(), timeout, tls);
            failure = match.failed(r);
        } catch (SocketTimeoutException e) {
            failure = "timed out";
        } catch (IOException e) {
            failure = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }
        PeerState s = p.state();
        s.checked(s.clock().currentTimeMillis(), failure == null ? "passed" : failure);
        int[] st = streak(p);
        synchronized (st) {
            if (failure == null) {
                st[0] = 0;
                st[1]++;
                if (s.unhealthy() && st[1] >= spec.passes()) {
                    s.unhealthy(false);
                    ErrorLog.get().log(LogLevel.NOTICE, 0, "peer is healthy while checking " + what() + peerText(p));
                }
            } else {
                st[1] = 0;
                st[0]++;
                if (!s.unhealthy() && st[0] >= spec.fails()) {
                    s.unhealthy(true);
                    ErrorLog.get().log(LogLevel.WARN, 0, "peer is unhealthy while checking " + failure + peerText(p));
                }
            }
        }
    }

    private String what() {
        return spec.matchName() == null ? "status code" : "match \"" + spec.matchName() + "\"";
    }

    private String peerText(Peer p) {
        return ", health check \"" + (spec.matchName() == null ? "" : spec.matchName()) + "\" of peer " + p.name()
            + " in upstream \"" + group.name() + "\"";
    }
}
