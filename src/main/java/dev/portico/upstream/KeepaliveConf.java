package dev.portico.upstream;

/**
 * An upstream group's connection cache ({@code keepalive N [local]}, {@code keepalive_requests},
 * {@code keepalive_time}, {@code keepalive_timeout}). Since nginx 1.29.7 a group defined with
 * {@code upstream} caches 32 connections per worker in "local" mode unless told otherwise.
 *
 * @param maxCached idle connections kept per event loop; 0 turns the cache off
 * @param local     cached connections are reused only by the location that opened them
 */
public record KeepaliveConf(int maxCached, boolean local, int requests, long timeMillis, long timeoutMillis) {
    public static final KeepaliveConf OFF = new KeepaliveConf(0, false, 1000, 3_600_000L, 60_000L);

    public boolean enabled() {
        return maxCached > 0;
    }
}
