package dev.portico.proxy;

import dev.portico.http.Exchange;
import dev.portico.variables.BuiltinVariables;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;

/** {@code $proxy_host}, {@code $proxy_port}, {@code $proxy_add_x_forwarded_for} and the {@code $upstream_*} family. */
final class ProxyVariables {
    private ProxyVariables() {
    }

    /** Declares the variables this package computes. */
    static void register(BuiltinVariables.Builder b) {
        b.builtin("proxy_host", ex -> {
            ProxyCall c = ex.attachment(ProxyCall.class);
            return c == null ? null : c.hostHeader();
        });
        b.builtin("proxy_port", ex -> {
            ProxyCall c = ex.attachment(ProxyCall.class);
            return c == null ? null : c.port();
        });
        b.builtin("request_body", BufferedBody::of);
        b.builtin("proxy_add_x_forwarded_for", ProxyVariables::addXForwardedFor);
        b.builtin("upstream_addr", ex -> join(ex, s -> s.addr));
        b.builtin("upstream_status", ex -> join(ex, s -> s.status == 0 ? "-" : Integer.toString(s.status)));
        b.builtin("upstream_connect_time", ex -> join(ex, s -> UpstreamStates.seconds(s.connectNanos)));
        b.builtin("upstream_header_time", ex -> join(ex, s -> UpstreamStates.seconds(s.headerNanos)));
        b.builtin("upstream_response_time", ex -> join(ex, s -> UpstreamStates.seconds(
            s.responseNanos >= 0 ? s.responseNanos : System.nanoTime() - s.startNanos)));
        b.builtin("upstream_response_length", ex -> join(ex, s -> Long.toString(s.responseLength)));
        b.builtin("upstream_bytes_received", ex -> join(ex, s -> Long.toString(s.bytesReceived)));
        b.builtin("upstream_bytes_sent", ex -> join(ex, s -> Long.toString(s.bytesSent)));
        b.prefixed("upstream_http_", name -> {
            String header = name.replace('_', '-');
            return ex -> {
                UpstreamStates st = ex.attachment(UpstreamStates.class);
                return st == null ? null : st.upstreamHeader(header);
            };
        });
        b.prefixed("upstream_trailer_", name -> {
            String header = name.replace('_', '-');
            return ex -> {
                UpstreamStates st = ex.attachment(UpstreamStates.class);
                return st == null || st.lastTrailers == null ? null : joined(st.lastTrailers, header);
            };
        });
        b.prefixed("upstream_cookie_", name -> ex -> {
            UpstreamStates st = ex.attachment(UpstreamStates.class);
            return st == null ? null : setCookie(st.upstreamCookies(), name);
        });
    }


    /**
     * {@code $upstream_cookie_NAME} as ngx_http_parse_set_cookie_lines reads Set-Cookie fields:
     * only the first pair of each field counts; its name must start the value (compared
     * case-insensitively), spaces (not tabs) may stand around "=", and the value runs raw to the
     * next ";" (quotes, commas and trailing spaces kept). The first field that matches wins.
     */
    static String setCookie(List<String> fields, String name) {
        int n = name.length();
        for (String v : fields) {
            if (n >= v.length() || !v.regionMatches(true, 0, name, 0, n)) {
                continue;
            }
            int i = n;
            while (i < v.length() && v.charAt(i) == ' ') {
                i++;
            }
            if (i == v.length() || v.charAt(i) != '=') {
                continue;
            }
            i++;
            while (i < v.length() && v.charAt(i) == ' ') {
                i++;
            }
            int semi = v.indexOf(';', i);
            return v.substring(i, semi < 0 ? v.length() : semi);
        }
        return null;
    }

    private static String join(Exchange ex, java.util.function.Function<UpstreamState, String> f) {
        UpstreamStates st = ex.attachment(UpstreamStates.class);
        return st == null ? null : st.join(f);
    }

    private static String joined(HttpHeaders h, String name) {
        List<String> all = h.getAll(name);
        if (all.isEmpty()) {
            return null;
        }
        return all.size() == 1 ? all.get(0) : String.join(", ", all);
    }

    /** The client's X-Forwarded-For fields with the client address appended (nginx joins them with ", "). */
    static String addXForwardedFor(Exchange ex) {
        List<String> xff = ex.requestHeaders().getAll("X-Forwarded-For");
        String addr = ex.remoteHost();
        if (xff.isEmpty()) {
            return addr;
        }
        StringBuilder b = new StringBuilder();
        for (String v : xff) {
            b.append(v).append(", ");
        }
        return b.append(addr).toString();
    }
}
