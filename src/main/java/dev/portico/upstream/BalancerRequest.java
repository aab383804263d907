package dev.portico.upstream;

import java.util.BitSet;

/**
 * One request's dealings with a balancer: which peers it already tried and how many tries are
 * left. Balancers that need request facts (a hash key, the client address) get them here.
 */
public final class BalancerRequest {
    /** Tried peers: a bit mask for the first 64 (the usual case), a set beyond. */
    private long triedMask;
    private BitSet triedMore;
    private final String clientAddress;
    private final String hashKey;
    private int triesLeft;
    // per-request state of the hash methods (nginx's hp->hash, hp->rehash, hp->tries)
    long hash;
    int rehash;
    int hashTries;
    boolean hashStarted;

    public BalancerRequest(int tries, String clientAddress, String hashKey) {
        this.triesLeft = tries;
        this.clientAddress = clientAddress;
        this.hashKey = hashKey;
    }

    public boolean tried(Peer p) {
        int i = p.index();
        return i < 64 ? (triedMask & (1L << i)) != 0 : triedMore != null && triedMore.get(i);
    }

    public void markTried(Peer p) {
        int i = p.index();
        if (i < 64) {
            triedMask |= 1L << i;
        } else {
            if (triedMore == null) {
                triedMore = new BitSet();
            }
            triedMore.set(i);
        }
    }

    public int triesLeft() {
        return triesLeft;
    }

    /** Counts one attempt. */
    public void useTry() {
        triesLeft--;
    }

    /** Gives back a try (a failure on a cached connection does not count, as in nginx). */
    public void refundTry() {
        triesLeft++;
    }

    public String clientAddress() {
        return clientAddress;
    }

    public String hashKey() {
        return hashKey;
    }
}
