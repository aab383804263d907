package dev.portico.proxy;

/**
 * What happened in one attempt, for the {@code $upstream_*} variables: the peer, the status
 * (or 502/504 for a failed attempt), the times from the attempt's start, and byte counts.
 */
final class UpstreamState {
    final String addr;
    final long startNanos = System.nanoTime();
    /** True for the first attempt of a proxied request after an internal redirect: joined with " : ". */
    final boolean newGroup;
    int status;
    long connectNanos = -1;
    long headerNanos = -1;
    long responseNanos = -1;
    long responseLength;
    long bytesReceived;
    long bytesSent;

    UpstreamState(String addr, boolean newGroup) {
        this.addr = addr;
        this.newGroup = newGroup;
    }

    void connected() {
        connectNanos = System.nanoTime() - startNanos;
    }

    void headerReceived() {
        headerNanos = System.nanoTime() - startNanos;
    }

    void finished() {
        if (responseNanos < 0) {
            responseNanos = System.nanoTime() - startNanos;
        }
    }
}
