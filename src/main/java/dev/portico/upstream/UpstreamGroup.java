package dev.portico.upstream;

import dev.portico.variables.Template;
import java.util.List;

/**
 * A compiled group of servers: an {@code upstream} block, or the implicit group nginx makes for
 * a {@code proxy_pass} that names an address. Immutable; run-time state lives in the peers'
 * {@link PeerState} and the {@link KeepalivePool}s.
 */
public final class UpstreamGroup {
    private final String name;
    private final boolean implicit;
    private volatile List<Peer> primary;
    private volatile List<Peer> backup;
    private final KeepaliveConf keepalive;
    private volatile Balancer balancer;
    private final Balancer.Factory factory;
    /** The {@code server ... resolve} lines, re-resolved while running; empty for most groups. */
    final List<ResolvedServers> resolved = new java.util.ArrayList<>();
    /** The (server line, address) pairs that never change. */
    List<Object[]> staticServers = List.of();
    ResolverConf resolver;
    long resolverTimeout;
    /** Where new peers after a DNS change find the state of the servers that stay. */
    PeerStates states;
    private final Template hashKey;

    UpstreamGroup(String name, boolean implicit, List<Peer> primary, List<Peer> backup, KeepaliveConf keepalive,
                  Balancer.Factory balancer) {
        this(name, implicit, primary, backup, keepalive, balancer, null);
    }

    UpstreamGroup(String name, boolean implicit, List<Peer> primary, List<Peer> backup, KeepaliveConf keepalive,
                  Balancer.Factory balancer, Template hashKey) {
        this.hashKey = hashKey;
        this.name = name;
        this.implicit = implicit;
        this.primary = List.copyOf(primary);
        this.backup = List.copyOf(backup);
        this.keepalive = keepalive;
        this.factory = balancer;
        this.balancer = balancer.create(this);
    }

    /** A group of the given addresses with default parameters (a proxy_pass target resolved at run time). */
    public static UpstreamGroup ofAddresses(String name, List<java.net.SocketAddress> addresses) {
        List<Peer> peers = new java.util.ArrayList<>();
        for (java.net.SocketAddress a : addresses) {
            String peerName = ServerAddress.peerName(a);
            peers.add(new Peer(peers.size(), peerName, a, 1, 1, 10_000L, 0, false, false, new PeerState(dev.portico.core.Clock.SYSTEM)));
        }
        return new UpstreamGroup(name, true, peers, List.of(), KeepaliveConf.OFF, RoundRobinBalancer::new);
    }

    /** New peers after a DNS change (without a reload): a new balancer over them; requests under way keep theirs. */
    synchronized void replacePeers(List<Peer> primary, List<Peer> backup) {
        this.primary = List.copyOf(primary);
        this.backup = List.copyOf(backup);
        this.balancer = factory.create(this);
    }

    public String name() {
        return name;
    }

    /** True for the group of a {@code proxy_pass} address (no {@code upstream} block). */
    public boolean implicit() {
        return implicit;
    }

    public List<Peer> primary() {
        return primary;
    }

    public List<Peer> backup() {
        return backup;
    }

    public KeepaliveConf keepalive() {
        return keepalive;
    }

    /** The {@code hash} method's key, rendered per request; null for the other methods. */
    public Template hashKey() {
        return hashKey;
    }

    public Balancer balancer() {
        return balancer;
    }
}
