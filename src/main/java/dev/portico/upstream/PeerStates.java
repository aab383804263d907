package dev.portico.upstream;

import dev.portico.core.ServerState;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Run-time state of every peer of one server, by group and peer name, shared by all its
 * snapshots so that failure counts and health survive a reload (DESIGN: state keyed by name).
 */
public final class PeerStates {
    private final Map<String, PeerState> states = new ConcurrentHashMap<>();
    private final dev.portico.core.Clock clock;

    private PeerStates(dev.portico.core.Clock clock) {
        this.clock = clock;
    }

    /** The server's peer states. */
    public static PeerStates of(ServerState server) {
        return server.part(PeerStates.class, () -> new PeerStates(server.clock()));
    }

    public PeerState of(String group, String peer) {
        return states.computeIfAbsent(group + "\u0000" + peer, k -> new PeerState(clock));
    }
}
