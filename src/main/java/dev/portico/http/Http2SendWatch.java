package dev.portico.http;

import dev.portico.observability.ErrorLog;
import dev.portico.observability.LogLevel;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code send_timeout} for one HTTP/2 stream: while writes of its response are not completed
 * (the stream's window, the connection or a slow socket hold them), some must complete within
 * the timeout, else the exchange is aborted (its content handler may say what that means, as
 * the proxy does). Frames {@code limit_rate} holds back are Portico's pace, not the client's.
 */
final class Http2SendWatch {
    private final Http2Stream stream;
    private ScheduledFuture<?> check;
    private long progressAt;
    private int outstanding;
    private long completed;
    private long completedAtCheck;

    Http2SendWatch(Http2Stream stream) {
        this.stream = stream;
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
        if (check != null || outstanding == 0) {
            return;
        }
        long timeout = ex.settings().get(HttpModule.SEND_TIMEOUT);
        if (timeout <= 0) {
            return;
        }
        progressAt = System.nanoTime();
        completedAtCheck = completed;
        schedule(timeout);
    }

    private void schedule(long timeout) {
        check = stream.eventLoop().schedule(() -> check(timeout), Math.max(10, Math.min(1000, timeout / 4)), TimeUnit.MILLISECONDS);
    }

    private void check(long timeout) {
        check = null;
        Exchange ex = stream.current();
        if (ex == null || !stream.isActive() || outstanding == 0) {
            return;
        }
        long now = System.nanoTime();
        if (completed != completedAtCheck || stream.heldBytes() > 0) {
            completedAtCheck = completed;
            progressAt = now;
        } else if (now - progressAt >= TimeUnit.MILLISECONDS.toNanos(timeout)) {
            if (ex.sendTimedOut()) {
                return;
            }
            ClientConnection c = ex.connection();
            ErrorLog.of(ex).log(LogLevel.INFO, c.id(),
                "client timed out (110: Connection timed out) while sending response to client, client: " + c.remoteHost());
            ex.abort();
            return;
        }
        schedule(timeout);
    }

    void cancel() {
        if (check != null) {
            check.cancel(false);
            check = null;
        }
    }
}
