package dev.portico.upstream;

/**
 * Chooses the peer for each attempt (nginx's {@code get}/{@code free} pair). Round robin is
 * the default; {@code least_conn}, {@code hash}, {@code ip_hash} and {@code random} plug in
 * behind the same two methods. Implementations are shared by every event loop.
 */
public interface Balancer {
    /** The peer for the next attempt, marked tried in the request; null when none may be used ("no live upstreams"). */
    Peer pick(BalancerRequest request);

    /**
     * An attempt on the peer ended; {@code failed} counts towards {@code max_fails}. Returns true
     * when this failure just made the peer unavailable (nginx logs "upstream server temporarily disabled").
     */
    boolean release(Peer peer, BalancerRequest request, boolean failed);

    /** How many attempts a request may make in total (nginx: the number of usable servers). */
    int tries();

    /** Makes a balancer for a group; set by the group's method directive (round robin when none). */
    @FunctionalInterface
    interface Factory {
        Balancer create(UpstreamGroup group);
    }
}
