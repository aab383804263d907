package dev.portico.http;

import io.netty.handler.codec.http.HttpContent;

/**
 * Receives a request body piece by piece. Ownership of each {@link HttpContent} passes to the
 * handler, which must release it. More is read from the client only when the handler asks
 * with {@link Exchange#readBody()}: that is the backpressure.
 */
public interface RequestBodyHandler {
    /** A piece of the body; {@code content instanceof LastHttpContent} marks the end. */
    void onContent(HttpContent content);

    /** The client went away or sent a malformed body. */
    default void onError(Throwable cause) {
    }

    /** Reads and drops the body. */
    RequestBodyHandler DISCARD = content -> content.release();
}
