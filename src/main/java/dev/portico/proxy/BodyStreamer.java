package dev.portico.proxy;

import dev.portico.http.Exchange;
import dev.portico.http.RequestBodyHandler;
import dev.portico.observability.LogLevel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * {@code proxy_request_buffering off}: the request body goes to the backend as it arrives. The
 * next read from the client is asked for only when the backend connection can take more, so a
 * backend that stops reading stops the client too.
 */
final class BodyStreamer implements RequestBodyHandler {
    private final ProxyCall call;
    private final Exchange ex;
    private Attempt attempt;
    private long total;
    private boolean started;
    private boolean complete;
    private boolean stopped;

    BodyStreamer(ProxyCall call) {
        this.call = call;
        this.ex = call.ex;
    }

    /** True once any of the body was taken from the client (it cannot be sent again). */
    boolean started() {
        return started;
    }

    void sendTo(Attempt a) {
        attempt = a;
        ex.bodyHandler(this);
        if (!complete && !stopped && attempt == a) {
            ex.readBody();
        }
    }

    @Override
    public void onContent(HttpContent c) {
        if (stopped || attempt == null || attempt.over()) {
            c.release();
            return;
        }
        started = true;
        int n = c.content().readableBytes();
        long max = call.conf.clientMaxBodySize;
        if (max > 0 && total + n > max) {
            ProxyLog.log(LogLevel.ERROR, ex, "client intended to send too large chunked body: " + total + "+" + n + " bytes",
                null, null);
            c.release();
            stopped = true;
            call.bodyTooLargeWhileStreaming();
            return;
        }
        total += n;
        boolean last = c instanceof LastHttpContent;
        complete = last;
        Attempt a = attempt;
        a.writeBody(c);
        if (!last) {
            a.whenWritable(() -> {
                if (!stopped && attempt == a) {
                    ex.readBody();
                }
            });
        }
    }

    @Override
    public void onError(Throwable cause) {
        stopped = true;
        call.abandon();
    }

    void stop() {
        stopped = true;
    }
}
