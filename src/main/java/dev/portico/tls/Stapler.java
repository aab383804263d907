package dev.portico.tls;

import dev.portico.core.Clock;
import dev.portico.observability.ErrorLog;
import dev.portico.observability.LogLevel;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The OCSP response stapled to one certificate's handshakes. A responder's answer is fetched
 * when the configuration goes live and then as nginx refreshes it (five minutes before its
 * nextUpdate, but at most an hour and at least five minutes on; five minutes after a failure),
 * always on the fetch threads of {@link Staplers}. A response is stapled from the moment it
 * passed {@link OcspCheck} until its nextUpdate; a failed or bad answer leaves the last good one
 * in place. Handshakes before the first answer go without, as with nginx.
 */
final class Stapler {
    /** For certificates not stapled: never has a response. */
    static final Stapler NONE = new Stapler(null, Clock.SYSTEM, null);

    private static final long MINUTE = 60_000;

    /** A checked response and the time (ms) after which it is no longer stapled. */
    private record Staple(byte[] der, long validUntil) {
    }

    private final OcspTarget target;
    private final Clock clock;
    private volatile Staple current;
    /** Guarded by this. */
    private Staplers.Pools pools;
    private ScheduledFuture<?> next;
    private boolean stopped;

    private Stapler(OcspTarget target, Clock clock, Staple fixed) {
        this.target = target;
        this.clock = clock;
        this.current = fixed;
    }

    /** Asks {@code target}'s responder once started. */
    static Stapler fetching(OcspTarget target, Clock clock) {
        return new Stapler(target, clock, null);
    }

    /** {@code ssl_stapling_file}: this response, always, as it is. */
    static Stapler fixed(byte[] der) {
        return new Stapler(null, Clock.SYSTEM, new Staple(der, Long.MAX_VALUE));
    }

    /** The response to staple now, or null. */
    byte[] response() {
        Staple s = current;
        return s == null || s.validUntil() < clock.currentTimeMillis() ? null : s.der();
    }

    /** Starts fetching (a no-op when started already, stopped, or nothing is to be fetched). */
    synchronized void start(Staplers.Pools p) {
        if (target == null || pools != null || stopped) {
            return;
        }
        pools = p;
        schedule(0);
    }

    /** The configuration no longer staples this certificate: no further fetches. */
    synchronized void stop() {
        stopped = true;
        if (next != null) {
            next.cancel(false);
        }
    }

    private synchronized void schedule(long delayMillis) {
        if (stopped) {
            return;
        }
        try {
            next = pools.timer().schedule(() -> pools.fetchers().execute(this::refresh), delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // the server is stopping
        }
    }

    /** One fetch and check, on a fetch thread; then the next one is scheduled. */
    private void refresh() {
        long now = clock.currentTimeMillis();
        long refresh = now + 5 * MINUTE;
        try {
            refresh = fetchAndCheck(now);
        } catch (RuntimeException e) {
            error("OCSP request failed (" + e + ")", null);
        } finally {
            schedule(Math.max(0, refresh - now));
        }
    }

    /** When to ask again: nginx's schedule after a good answer, five minutes after anything else. */
    private long fetchAndCheck(long now) {
        long retry = now + 5 * MINUTE;
        OcspClient.Reply reply = OcspClient.fetch(target.responder(), OcspCheck.request(target.certificate(), target.issuer()), this::error);
        if (reply == null) {
            return retry;
        }
        if (reply.status() != 200) {
            // nginx drops such an answer silently; the line says why nothing is stapled
            error("OCSP responder sent HTTP status " + reply.status(), reply.peer());
            return retry;
        }
        long valid;
        try {
            valid = OcspCheck.check(reply.body(), target, now);
        } catch (OcspCheck.Failure f) {
            error(f.getMessage(), reply.peer());
            return retry;
        }
        current = new Staple(reply.body(), valid);
        long before = valid == Long.MAX_VALUE ? Long.MAX_VALUE : valid - 5 * MINUTE;
        return Math.max(Math.min(before, now + 60 * MINUTE), retry);
    }

    private void error(String message, String peer) {
        ErrorLog.get().log(LogLevel.ERROR, 0, message + " while requesting certificate status, responder: " + target.responder().host()
            + (peer == null ? "" : ", peer: " + peer) + ", certificate: \"" + target.name() + "\"");
    }
}
