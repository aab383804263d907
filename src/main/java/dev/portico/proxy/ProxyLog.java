package dev.portico.proxy;

import dev.portico.http.Exchange;
import dev.portico.observability.ErrorLog;
import dev.portico.observability.LogLevel;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.HttpHeaderNames;

/**
 * Error-log lines in nginx's shape: {@code MESSAGE while ACTION, client: A, server: S,
 * request: "R", upstream: "U", host: "H"}. The backend address appears here only, never in
 * anything sent to the client.
 */
final class ProxyLog {
    static final String CONNECTING = "connecting to upstream";
    static final String SSL_HANDSHAKING = "SSL handshaking to upstream";
    static final String SENDING = "sending request to upstream";
    static final String READING_HEADER = "reading response header from upstream";
    static final String READING = "reading upstream";
    static final String SENDING_TO_CLIENT = "sending to client";
    static final String UPGRADED = "proxying upgraded connection";

    private ProxyLog() {
    }

    static void log(LogLevel level, Exchange ex, String message, String action, String upstream) {
        ErrorLog log = ErrorLog.get();
        if (!log.enabled(level)) {
            return;
        }
        StringBuilder b = new StringBuilder(160).append(message);
        if (action != null) {
            b.append(" while ").append(action);
        }
        b.append(", client: ").append(ex.remoteHost());
        if (ex.server() != null) {
            b.append(", server: ").append(ex.server().primaryName());
        }
        b.append(", request: \"").append(ErrorLog.requestLine(ex)).append('"').append(ErrorLog.subrequest(ex));
        if (upstream != null) {
            b.append(", upstream: \"").append(ErrorLog.escape(upstream)).append('"');
        }
        String host = ex.requestHeaders().get(HttpHeaderNames.HOST);
        if (host != null) {
            b.append(", host: \"").append(ErrorLog.escape(host)).append('"');
        }
        String referer = ex.requestHeaders().get(HttpHeaderNames.REFERER);
        if (referer != null) {
            b.append(", referrer: \"").append(ErrorLog.escape(referer)).append('"');
        }
        log.log(level, ex.connection().id(), b.toString());
    }
}
