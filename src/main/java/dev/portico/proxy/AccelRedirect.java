package dev.portico.proxy;

import dev.portico.http.Exchange;
import dev.portico.http.Location;
import dev.portico.observability.LogLevel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import java.util.List;
import java.util.Map;

/**
 * {@code X-Accel-Redirect} from a backend, as nginx's ngx_http_upstream_process_headers: the
 * backend's response is dropped and the request continues at the URI (or named location) it
 * names, with GET (HEAD stays HEAD) and the URI's own arguments. The fields nginx marks to
 * survive the redirect go with the request and reach the client on whatever answers it:
 * Content-Type (for files and {@code return}, which choose a type only when none is set),
 * Set-Cookie (through {@code proxy_cookie_*}), Content-Disposition, Cache-Control, Expires and
 * Accept-Ranges. A target that is not a safe URI is answered 404 ("unsafe URI ... was detected").
 */
final class AccelRedirect {
    /** The fields of ngx_http_upstream_headers_in[] whose "redirect" flag is set. */
    private static final HeaderNameSet CARRIED = new HeaderNameSet(List.of("Content-Type", "Set-Cookie",
        "Content-Disposition", "Cache-Control", "Expires", "Accept-Ranges"));

    private AccelRedirect() {
    }

    static void follow(Exchange ex, ProxyConf conf, Attempt from, HttpResponse backend, String target) {
        ex.carryFields(carried(ex, conf, backend.headers()));
        if (target.startsWith("@")) {
            Location named = ex.server().namedLocation(target);
            if (named == null) {
                ProxyLog.log(LogLevel.ERROR, ex, "could not find named location \"" + target + "\"", ProxyLog.READING_HEADER,
                    from.upstreamUri());
                ex.sendError(500);
                return;
            }
            ex.namedRedirect(named);
            return;
        }
        String[] uriAndArgs = SafeUri.parse(target);
        if (uriAndArgs[0] == null) {
            // nginx names the URI as far as it was decoded
            ProxyLog.log(LogLevel.ERROR, ex, "unsafe URI \"" + uriAndArgs[1] + "\" was detected", ProxyLog.READING_HEADER,
                from.upstreamUri());
            ex.sendError(404);
            return;
        }
        if (!ex.method().equals(HttpMethod.HEAD)) {
            ex.request().setMethod(HttpMethod.GET);
        }
        ex.internalRedirect(uriAndArgs[0], uriAndArgs[1]);
    }

    private static HttpHeaders carried(Exchange ex, ProxyConf conf, HttpHeaders from) {
        HttpHeaders out = new DefaultHttpHeaders();
        boolean cookies = !conf.cookieDomains.isEmpty() || !conf.cookiePaths.isEmpty() || !conf.cookieFlags.isEmpty();
        for (Map.Entry<String, String> e : from) {
            String name = e.getKey();
            if (!CARRIED.contains(name)) {
                continue;
            }
            String value = e.getValue();
            if (cookies && name.equalsIgnoreCase("Set-Cookie")) {
                String rewritten = SetCookieEditor.edit(ex, conf, value);
                value = rewritten != null ? rewritten : value;
            }
            out.add(name, value);
        }
        return out;
    }
}
