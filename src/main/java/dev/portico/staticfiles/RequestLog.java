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
        b.append(", client: ").append(ex.remoteHost())
            .append(", server: ").append(ex.server().primaryName())
            .append(", request: \"").append(ErrorLog.requestLine(ex)).append('"');
        String host = ex.requestHeaders().get("Host");
        if (host != null) {
            b.append(", host: \"").append(ErrorLog.escape(host)).append('"');
        }
        return new RequestLog(ex.connection().id(), b.toString());
    }

    void log(LogLevel level, String message) {
        ErrorLog.get().log(level, connection, message + context);
    }

    /** {@code call() "path" failed (errno: text)}, nginx's wording for a failed file system call. */
    void failed(LogLevel level, String call, String path, FsError error) {
        // the path holds the decoded URI: escaped like any client value
        log(level, call + " \"" + ErrorLog.escape(path) + "\" failed " + error.suffix());
    }
}
