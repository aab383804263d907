package dev.portico.upstream;

import java.net.SocketAddress;

/**
 * One server of a group, as configured: its address (one per address a host name resolved to),
 * the {@code server} parameters, and its run-time {@link PeerState}.
 */
public final class Peer {
    private final int index;
    private final String name;
    private final SocketAddress address;
    private final int weight;
    private final int maxFails;
    private final long failTimeoutMillis;
    private final int maxConns;
    private final boolean backup;
    private final boolean down;
    private final PeerState state;
    private final String server;
    private long slowStartMillis;

    public Peer(int index, String name, SocketAddress address, int weight, int maxFails, long failTimeoutMillis, int maxConns,
                boolean backup, boolean down, PeerState state) {
        this(index, name, address, weight, maxFails, failTimeoutMillis, maxConns, backup, down, state, name);
    }

    public Peer(int index, String name, SocketAddress address, int weight, int maxFails, long failTimeoutMillis, int maxConns,
                boolean backup, boolean down, PeerState state, String server) {
        this.server = server;
        this.index = index;
        this.name = name;
        this.address = address;
        this.weight = weight;
        this.maxFails = maxFails;
        this.failTimeoutMillis = failTimeoutMillis;
        this.maxConns = maxConns;
        this.backup = backup;
        this.down = down;
        this.state = state;
    }

    /** Position in the group (primary peers first, then backups): an index into per-request "tried" sets. */
    public int index() {
        return index;
    }

    /** "127.0.0.1:8080" or "unix:/path", as {@code $upstream_addr} shows it. */
    public String name() {
        return name;
    }

    /** The address as written in the {@code server} line (shared by every address of a host name): what consistent hashing hashes. */
    public String server() {
        return server;
    }

    /** {@code slow_start}: how long a recovered server takes to reach its full weight (0: at once). */
    public long slowStartMillis() {
        return slowStartMillis;
    }

    Peer slowStart(long millis) {
        this.slowStartMillis = millis;
        return this;
    }

    public SocketAddress address() {
        return address;
    }

    public int weight() {
        return weight;
    }

    public int maxFails() {
        return maxFails;
    }

    public long failTimeoutMillis() {
        return failTimeoutMillis;
    }

    public int maxConns() {
        return maxConns;
    }

    public boolean backup() {
        return backup;
    }

    public boolean down() {
        return down;
    }

    public PeerState state() {
        return state;
    }

    @Override
    public String toString() {
        return name;
    }
}
