package dev.portico.http;

/**
 * The one handler that produces a location's response (proxy, static files...), nginx's
 * content phase. It owns the exchange until it has sent a response.
 */
@FunctionalInterface
public interface ContentHandler {
    void handle(Exchange ex);
}
