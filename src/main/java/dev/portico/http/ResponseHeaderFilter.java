package dev.portico.http;

import io.netty.handler.codec.http.HttpResponse;

/**
 * Edits a response head just before it is sent (nginx's header filters: {@code add_header},
 * {@code expires}, charset...). Registered once by the package that owns the directive.
 */
@FunctionalInterface
public interface ResponseHeaderFilter {
    void filter(Exchange ex, HttpResponse response);
}
