package dev.portico.routing;

import dev.portico.config.directive.Settings;
import dev.portico.http.Exchange;
import dev.portico.http.Location;
import dev.portico.observability.ErrorLog;
import dev.portico.observability.LogLevel;
import io.netty.handler.codec.http.HttpMethod;
import java.util.List;

/**
 * Answers an error through {@code error_page}, as nginx's ngx_http_send_error_page: an internal
 * redirect to a URI (the method becomes GET, except HEAD), a jump to a named location, or a
 * redirect to a URL. The error status (or the {@code =code}) is imposed on the final response.
 * Error pages apply once per request unless {@code recursive_error_pages} is on.
 */
final class ErrorPageHandler {
    /** Set on the exchange once error pages were consulted (nginx's {@code r->error_page}). */
    private enum Consulted { YES }

    private ErrorPageHandler() {
    }

    static boolean handle(Exchange ex, int status) {
        Settings s = ex.settings();
        List<ErrorPage> pages = s.get(ErrorPageModule.ERROR_PAGES);
        if (pages == null || ex.attachment(Consulted.class) != null) {
            return false;
        }
        if (!s.get(ErrorPageModule.RECURSIVE_ERROR_PAGES)) {
            ex.attach(Consulted.class, Consulted.YES);
        }
        for (ErrorPage p : pages) {
            if (p.status() == status) {
                send(ex, p, status);
                return true;
            }
        }
        return false;
    }

    private static void send(Exchange ex, ErrorPage page, int status) {
        int overwrite = page.overwrite();
        ex.overrideStatus(overwrite >= 0 ? overwrite : status);
        String target = page.target().render(ex);
        if (target.startsWith("/")) {
            String uri = target;
            String args = page.args();
            if (args == null) {
                int q = target.indexOf('?');
                uri = q < 0 ? target : target.substring(0, q);
                args = q < 0 ? "" : target.substring(q + 1);
            }
            if (!ex.isHead() && ex.method() != HttpMethod.GET) {
                ex.request().setMethod(HttpMethod.GET);
            }
            ex.internalRedirect(uri, args);
            return;
        }
        if (target.startsWith("@")) {
            Location named = ex.server().namedLocation(target);
            if (named == null) {
                ErrorLog.of(ex).log(LogLevel.ERROR, ex.connection().id(),
                    "could not find named location \"" + target + "\"" + ErrorLog.context(ex));
                ex.sendBuiltinPage(500, null);
                return;
            }
            ex.namedRedirect(named);
            return;
        }
        int code = ReturnStep.isRedirect(overwrite) ? overwrite : 302;
        ex.sendBuiltinPage(code, target);
    }
}
