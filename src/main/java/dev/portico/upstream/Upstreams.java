package dev.portico.upstream;

import dev.portico.config.ConfNode;
import dev.portico.config.ConfigException;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The upstream groups of one configuration (a per-snapshot registry of the build context):
 * the {@code upstream} blocks by name, and the implicit groups of {@code proxy_pass} addresses,
 * one per host and port as in nginx.
 */
public final class Upstreams {
    private final Map<String, UpstreamBlock> blocks = new LinkedHashMap<>();
    private final Map<String, UpstreamGroup> implicit = new LinkedHashMap<>();
    private final PeerStates states;

    Upstreams(PeerStates states) {
        this.states = states;
    }

    void add(UpstreamBlock b, ConfNode node) throws ConfigException {
        if (blocks.putIfAbsent(b.name.toLowerCase(), b) != null) {
            throw node.error("duplicate upstream \"" + b.name + "\"");
        }
    }

    /** True when an {@code upstream} block of that name (case-insensitive, as host names) exists. */
    public boolean has(String name) {
        return blocks.containsKey(name.toLowerCase());
    }

    /** The group of an {@code upstream} block, compiled on first use; null when there is none. */
    public UpstreamGroup block(String name) throws ConfigException {
        UpstreamBlock b = blocks.get(name.toLowerCase());
        return b == null ? null : b.compile(states);
    }

    /**
     * The implicit group of an address written in {@code proxy_pass}: host names are looked up
     * now; "host not found in upstream" is reported at the directive.
     */
    public UpstreamGroup implicit(ServerAddress address, ConfNode at) throws ConfigException {
        String key = address.isUnix() ? "unix:" + address.unixPath() : address.host().toLowerCase() + ":" + address.port();
        UpstreamGroup g = implicit.get(key);
        if (g == null) {
            List<SocketAddress> addrs;
            try {
                addrs = address.resolveNow();
            } catch (UnknownHostException e) {
                throw at.error("host not found in upstream \"" + address.text() + "\"");
            }
            List<Peer> peers = new java.util.ArrayList<>();
            for (SocketAddress a : addrs) {
                String peerName = ServerAddress.peerName(a);
                peers.add(new Peer(peers.size(), peerName, a, 1, 1, 10_000L, 0, false, false, states.of(key, peerName)));
            }
            g = new UpstreamGroup(address.text(), true, peers, List.of(), KeepaliveConf.OFF, RoundRobinBalancer::new);
            implicit.put(key, g);
        }
        return g;
    }

    /** The groups with {@code server ... resolve} lines (compiled). */
    List<UpstreamGroup> resolvingGroups() {
        List<UpstreamGroup> out = new java.util.ArrayList<>();
        for (UpstreamBlock b : blocks.values()) {
            try {
                UpstreamGroup g = b.compile(states);
                if (!g.resolved.isEmpty()) {
                    out.add(g);
                }
            } catch (ConfigException e) {
                // compiled when the snapshot was built: cannot fail now
            }
        }
        return out;
    }

    /** Compiles every block (even unused ones must resolve, as nginx checks them all). */
    void compileAll() throws ConfigException {
        for (UpstreamBlock b : blocks.values()) {
            b.compile(states);
        }
    }
}
