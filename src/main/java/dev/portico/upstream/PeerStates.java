package dev.portico.upstream;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Run-time state of every peer, by group and peer name, shared by all snapshots (DESIGN: state keyed by name). */
public final class PeerStates {
    private static final Map<String, PeerState> STATES = new ConcurrentHashMap<>();

    private PeerStates() {
    }

    public static PeerState of(String group, String peer) {
        return STATES.computeIfAbsent(group + "\u0000" + peer, k -> new PeerState());
    }
}
