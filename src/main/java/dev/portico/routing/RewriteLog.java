package dev.portico.routing;

import dev.portico.http.Exchange;
import dev.portico.observability.ErrorLog;
import dev.portico.observability.LogLevel;

/** {@code rewrite_log on}: how regexes and rewrites fared, at notice level in the error log. */
final class RewriteLog {
    private RewriteLog() {
    }

    static boolean enabled(Exchange ex) {
        return ex.settings().get(RewriteModule.REWRITE_LOG) && ErrorLog.of(ex).enabled(LogLevel.NOTICE);
    }

    static void notice(Exchange ex, String message) {
        ErrorLog.of(ex).log(LogLevel.NOTICE, ex.connection().id(), message + ErrorLog.context(ex));
    }
}
