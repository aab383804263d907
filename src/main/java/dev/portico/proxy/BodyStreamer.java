package dev.portico.proxy;

import dev.portico.http.Exchange;
import dev.portico.http.RequestBodyHandler;
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
        // client_max_body_size of a chunked body is enforced by the connection handler (onError, then 413)
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
        // a broken or too large body, a body timeout, or the client left: the core answers or closes
        stopped = true;
        call.abandon();
    }

    void stop() {
        stopped = true;
    }
}
