package dev.portico.http;

import dev.portico.observability.ErrorLog;
import dev.portico.observability.LogLevel;
import java.util.concurrent.TimeUnit;

/**
 * {@code send_timeout} for one HTTP/2 stream: while writes of its response are not completed
 * (the stream's window, the connection or a slow socket hold them), some must complete within
 * the timeout, else the exchange is aborted (its content handler may say what that means, as
 * the proxy does). Frames {@code limit_rate} holds back are Portico's pace, not the client's.
 * The connection's one timer does the looking ({@link Http2Connection#watchSends}), so a
 * response that leaves at once costs no timer.
 */
final class Http2SendWatch {
    private final Http2Stream stream;
    private final Http2Connection conn;
    /** Its place in the connection's list of watched streams, -1 when not in it. */
    int slot = -1;
    private long timeoutMillis;
    private long progressAt;
    private int outstanding;
    private long completed;
    private long completedAtCheck;

    Http2SendWatch(Http2Stream stream, Http2Connection conn) {
        this.stream = stream;
        this.conn = conn;
    }

    /** A write of the response began: it counts until it completes. */
    void started() {
        outstanding++;
    }

    void completed() {
        outstanding--;
        completed++;
    }

    /** Something was written for the exchange: watch until every write completed. */
    void wrote(Exchange ex) {
        if (slot >= 0 || outstanding == 0) {
            return;
        }
        long timeout = ex.settings().get(HttpModule.SEND_TIMEOUT);
        if (timeout <= 0) {
            return;
        }
        timeoutMillis = timeout;
        progressAt = System.nanoTime();
        completedAtCheck = completed;
        conn.watchSends(this, interval(timeout));
    }

    private static long interval(long timeoutMillis) {
        return Math.max(10, Math.min(1000, timeoutMillis / 4));
    }

    /** The exchange ended: nothing more to watch. */
    void stop() {
        conn.unwatchSends(this);
    }

    /** Looks at the stream's writes: the interval to look again in, or 0 when there is nothing left to watch. */
    long check(long now) {
        Exchange ex = stream.current();
        if (ex == null || !stream.isActive() || outstanding == 0) {
            return 0;
        }
        if (completed != completedAtCheck || stream.heldBytes() > 0) {
            completedAtCheck = completed;
            progressAt = now;
        } else if (now - progressAt >= TimeUnit.MILLISECONDS.toNanos(timeoutMillis)) {
            if (ex.sendTimedOut()) {
                return 0;
            }
            ClientConnection c = ex.connection();
            ErrorLog.of(ex).log(LogLevel.INFO, c.id(),
                "client timed out (110: Connection timed out) while sending response to client, client: " + c.remoteHost());
            ex.abort();
            return 0;
        }
        return interval(timeoutMillis);
    }
}
