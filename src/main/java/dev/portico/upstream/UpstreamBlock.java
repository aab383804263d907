package dev.portico.upstream;

import dev.portico.config.ConfNode;
import dev.portico.config.ConfigException;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/** Owner of an {@code upstream} block's level while reading: its server lines and keepalive settings. */
public final class UpstreamBlock {
    /** One {@code server} line as written. */
    record ServerLine(ServerAddress address, int weight, int maxFails, long failTimeoutMillis, int maxConns, boolean backup,
                      boolean down, long slowStartMillis, boolean resolve, ConfNode node) {
    }

    final String name;
    final ConfNode node;
    final List<ServerLine> servers = new ArrayList<>();
    Integer keepalive;
    boolean keepaliveLocal;
    Integer keepaliveRequests;
    Long keepaliveTime;
    Long keepaliveTimeout;
    Balancer.Factory method;
    /** The method directive's name (null: round robin), to refuse parameters it does not support. */
    String methodName;
    dev.portico.variables.Template hashKey;
    private UpstreamGroup compiled;
    /** The http level, for the {@code resolver} that {@code resolve} needs (it may be written after the block). */
    dev.portico.config.directive.Level httpLevel;
    ResolverConf resolver;
    long resolverTimeout = 30_000L;

    UpstreamBlock(String name, ConfNode node) {
        this.name = name;
        this.node = node;
    }

    public String name() {
        return name;
    }

    /** Peers of (server line, address) pairs: primaries first, then backups; state by group and peer name. */
    static void peers(String name, PeerStates states, List<Object[]> pending, List<Peer> primary, List<Peer> backup) {
        int index = 0;
        for (boolean wantBackup : new boolean[] {false, true}) {
            for (Object[] o : pending) {
                ServerLine s = (ServerLine) o[0];
                if (s.backup() != wantBackup) {
                    continue;
                }
                SocketAddress a = (SocketAddress) o[1];
                String peerName = ServerAddress.peerName(a);
                Peer p = new Peer(index++, peerName, a, s.weight(), s.maxFails(), s.failTimeoutMillis(), s.maxConns(),
                    s.backup(), s.down(), states.of(name, peerName), s.node().arg(0)).slowStart(s.slowStartMillis());
                (wantBackup ? backup : primary).add(p);
            }
        }
    }

    /**
     * The group, resolving host names on first use (configuration time). The default cache is
     * nginx 1.30's {@code keepalive 32 local}; {@code keepalive 0} turns it off.
     */
    UpstreamGroup compile(PeerStates states) throws ConfigException {
        if (compiled != null) {
            return compiled;
        }
        List<Object[]> pending = new ArrayList<>();
        List<ResolvedServers> resolvedLines = new ArrayList<>();
        for (ServerLine s : servers) {
            if (s.resolve()) {
                resolver = httpLevel == null ? null : httpLevel.getOwn(UpstreamModule.RESOLVER);
                if (resolver == null) {
                    throw s.node().error("no resolver defined to resolve " + s.address().host());
                }
                Long t = httpLevel.getOwn(UpstreamModule.RESOLVER_TIMEOUT);
                resolverTimeout = t == null ? 30_000L : t;
                if (!s.address().isLiteral()) {
                    // looked up by the resolver once running, and again whenever the answer expires
                    resolvedLines.add(new ResolvedServers(s, s.address().host(), s.address().port(), List.of()));
                    continue;
                }
            }
            List<SocketAddress> addrs;
            try {
                addrs = s.address().resolveNow();
            } catch (UnknownHostException e) {
                throw s.node().error("host not found in upstream \"" + s.node().arg(0) + "\"");
            }
            for (SocketAddress a : addrs) {
                pending.add(new Object[] {s, a});
            }
        }
        List<Peer> primary = new ArrayList<>();
        List<Peer> backup = new ArrayList<>();
        peers(name, states, pending, primary, backup);
        int n = keepalive == null ? 32 : keepalive;
        boolean local = keepalive == null || keepaliveLocal;
        KeepaliveConf ka = new KeepaliveConf(n, local, keepaliveRequests == null ? 1000 : keepaliveRequests,
            keepaliveTime == null ? 3_600_000L : keepaliveTime, keepaliveTimeout == null ? 60_000L : keepaliveTimeout);
        compiled = new UpstreamGroup(name, false, primary, backup, ka, method == null ? RoundRobinBalancer::new : method, hashKey);
        compiled.resolved.addAll(resolvedLines);
        compiled.staticServers = List.copyOf(pending);
        compiled.resolver = resolver;
        compiled.resolverTimeout = resolverTimeout;
        compiled.states = states;
        return compiled;
    }
}
