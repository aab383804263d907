package dev.portico.routing;

import dev.portico.http.Exchange;
import dev.portico.observability.ErrorLog;
import io.netty.handler.codec.http.HttpHeaderNames;

/** The tail nginx appends to error log lines about a request: client, server, request line and host. */
final class LogContext {
    private LogContext() {
    }

    static String of(Exchange ex) {
        StringBuilder b = new StringBuilder(128);
        b.append(", client: ").append(ex.connection().remoteHost())
            .append(", server: ").append(ex.server().primaryName())
            .append(", request: \"").append(ErrorLog.requestLine(ex)).append('"');
        String host = ex.requestHeaders().get(HttpHeaderNames.HOST);
        if (host != null) {
            b.append(", host: \"").append(ErrorLog.escape(host)).append('"');
        }
        return b.toString();
    }
}
