package dev.portico.staticfiles;

import dev.portico.http.Exchange;
import dev.portico.observability.ErrorLog;
import dev.portico.observability.LogLevel;

/**
 * An error log line about a request, with nginx's trailing context
 * ({@code , client: ..., server: ..., request: "...", host: "..."}). The context is taken on the
 * event loop so the line can be written from the file pool.
 */
record RequestLog(long connection, String context) {

    static RequestLog of(Exchange ex) {
        StringBuilder b = new StringBuilder(96);
        b.append(", client: ").append(ex.connection().remoteHost())
            .append(", server: ").append(ex.server().primaryName())
            .append(", request: \"").append(ex.method().name()).append(' ').append(ex.requestUri()).append(' ')
            .append(ex.request().protocolVersion().text()).append('"');
        String host = ex.requestHeaders().get("Host");
        if (host != null) {
            b.append(", host: \"").append(host).append('"');
        }
        return new RequestLog(ex.connection().id(), b.toString());
    }

    void log(LogLevel level, String message) {
        ErrorLog.get().log(level, connection, message + context);
    }

    /** {@code call() "path" failed (errno: text)}, nginx's wording for a failed file system call. */
    void failed(LogLevel level, String call, String path, FsError error) {
        log(level, call + " \"" + path + "\" failed " + error.suffix());
    }
}
