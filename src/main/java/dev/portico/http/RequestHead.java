package dev.portico.http;

import dev.portico.config.directive.Settings;
import dev.portico.observability.ErrorLog;
import dev.portico.observability.LogLevel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;

/**
 * Checks a decoded request head the way nginx does before any phase runs (version, Host, target)
 * and works out the host, the virtual server, the normalised path and the query. The byte-level
 * framing rules were checked by {@link RequestHeadScanner}. A non-zero {@link #error()} is the
 * status to answer with, closing the connection.
 */
public record RequestHead(int error, String reason, String rawTarget, String path, String args, String host,
                          VirtualServer server, Matcher serverMatch) {

    static RequestHead parse(HttpRequest req, ClientConnection conn, Settings defaults) {
        String target = req.uri();
        if (req.decoderResult().isFailure()) {
            Throwable c = req.decoderResult().cause();
            if (c instanceof RequestRejectedException r) {
                return fail(r.status(), r.getMessage(), target);
            }
            if (c instanceof TooLongHttpLineException) {
                return fail(414, "client sent too long URI", target);
            }
            if (c instanceof TooLongHttpHeaderException) {
                return fail(494, "client sent too large request", target);
            }
            return fail(400, "client sent invalid request: " + (c == null ? "" : c.getMessage()), target);
        }
        HttpVersion v = req.protocolVersion();
        // 2.0 only from an HTTP/2 stream: an HTTP/1 request line saying "HTTP/2.0" is refused
        if (v.majorVersion() != 1 && v != Http2RequestHead.HTTP_2) {
            return fail(v.majorVersion() > 1 ? 505 : 400, "client sent unsupported HTTP version", target);
        }
        HttpHeaders h = req.headers();

        // the target: origin-form or absolute-form; nginx refuses asterisk-form ("OPTIONS *") and authority-form
        String uriHost = null;
        String pathAndQuery;
        if (target.startsWith("/")) {
            pathAndQuery = target;
        } else {
            int schemeEnd = schemeEnd(target);
            if (schemeEnd < 0) {
                return fail(400, "client sent invalid request", target);
            }
            int start = schemeEnd + 3;
            int end = authorityEnd(target, start);
            if (end < 0) {
                return fail(400, "client sent invalid request", target);
            }
            uriHost = validateHost(target.substring(start, end));
            if (uriHost == null) {
                return fail(400, "client sent invalid host in request line", target);
            }
            pathAndQuery = end < target.length() ? target.substring(end) : "/";
            if (pathAndQuery.startsWith("?")) {
                pathAndQuery = "/" + pathAndQuery;
            }
        }
        filterHeaderNames(req, conn, uriHost != null ? conn.address().servers().find(uriHost).server() : null, defaults);
        List<String> hosts = h.getAll(HttpHeaderNames.HOST);
        if (hosts.size() > 1) {
            return fail(400, "client sent duplicate host header", target);
        }
        String headerHost = null;
        if (!hosts.isEmpty()) {
            headerHost = validateHost(hosts.get(0));
            if (headerHost == null) {
                return fail(400, "client sent invalid host header", target);
            }
        } else if (v.minorVersion() >= 1) {
            return fail(400, "client sent HTTP/1.1 request without \"Host\" header", target);
        }
        // RFC 9112 section 3.2.2: the host of an absolute-form target wins over the Host header
        String host = uriHost != null ? uriHost : headerHost != null ? headerHost : "";

        int q = pathAndQuery.indexOf('?');
        String rawPath = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
        String args = q < 0 ? null : pathAndQuery.substring(q + 1);
        int hash = rawPath.indexOf('#');
        if (hash >= 0) {
            rawPath = rawPath.substring(0, hash);
        }
        String path = UriNormalizer.normalize(rawPath, defaults.get(HttpModule.MERGE_SLASHES));
        if (path == null) {
            return fail(400, "client sent invalid request", target);
        }
        ServerNameIndex.Hit<VirtualServer> hit = conn.address().servers().find(host);
        // ngx_http_process_request_header: once the head is read and checked, CONNECT (nginx 1.25+)
        // and TRACE are answered 405 by the server the host chose, never routed
        String method = req.method().name();
        if (method.equals("CONNECT") || method.equals("TRACE")) {
            return new RequestHead(405, "client sent " + method + " method", pathAndQuery, path, args, host, hit.server(),
                hit.match());
        }
        // $request_uri of an absolute-form target is its path and query, as nginx's unparsed URI
        return new RequestHead(0, null, pathAndQuery, path, args, host, hit.server(), hit.match());
    }

    private static RequestHead fail(int status, String reason, String target) {
        return new RequestHead(status, reason, target, "/", null, "", null, null);
    }

    /** The index of "://" after a URI scheme (letters, digits, "+", "-", "."), or -1. */
    private static int schemeEnd(String t) {
        int i = 0;
        while (i < t.length()) {
            char c = t.charAt(i);
            boolean letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
            if (!(letter || (i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.')))) {
                break;
            }
            i++;
        }
        return i > 0 && t.startsWith("://", i) ? i : -1;
    }

    /** The end of {@code host[:port]} in an absolute-form target, or -1 when it has characters nginx refuses. */
    private static int authorityEnd(String t, int start) {
        int i = start;
        if (i < t.length() && t.charAt(i) == '[') {
            // ngx_http_parse_request_line's IP literal: unreserved characters, sub-delims and ":"
            i++;
            while (i < t.length() && t.charAt(i) != ']') {
                char c = t.charAt(i);
                boolean alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
                if (!alnum && ":-._~!$&'()*+,;=".indexOf(c) < 0) {
                    return -1;
                }
                i++;
            }
            if (i == t.length()) {
                return -1;
            }
            i++;
        } else {
            while (i < t.length()) {
                char c = t.charAt(i);
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-')) {
                    break;
                }
                i++;
            }
        }
        if (i < t.length() && t.charAt(i) == ':') {
            i++;
            while (i < t.length() && Character.isDigit(t.charAt(i))) {
                i++;
            }
        }
        if (i < t.length() && t.charAt(i) != '/' && t.charAt(i) != '?') {
            return -1;
        }
        return i;
    }

    /**
     * Drops the header lines nginx ignores (names with underscores, unless allowed, or with other
     * characters nginx does not take), logging each at info as nginx does. As in
     * ngx_http_process_request_headers, the lines are read in order under the server chosen so far:
     * the one an absolute-form target named, else the address's default server until a valid
     * {@code Host} line chooses another for the lines after it.
     */
    private static void filterHeaderNames(HttpRequest req, ClientConnection conn, VirtualServer byTarget, Settings defaults) {
        if (!anyUnusualName(req.headers())) {
            return;
        }
        VirtualServer server = byTarget != null ? byTarget : conn.address().servers().defaultServer();
        Settings s = byTarget != null ? byTarget.settings() : defaults;
        boolean hostSeen = byTarget != null;
        List<Map.Entry<String, String>> lines = req.headers().entries();
        List<Map.Entry<String, String>> kept = new java.util.ArrayList<>(lines.size());
        for (Map.Entry<String, String> e : lines) {
            String name = e.getKey();
            if (s.get(HttpModule.IGNORE_INVALID_HEADERS) && !validName(name, s.get(HttpModule.UNDERSCORES_IN_HEADERS))) {
                logIgnored(req, conn, server, e);
                continue;
            }
            kept.add(e);
            if (!hostSeen && HttpHeaderNames.HOST.contentEqualsIgnoreCase(name)) {
                hostSeen = true;
                String host = validateHost(e.getValue());
                VirtualServer chosen = host == null ? null : conn.address().servers().find(host).server();
                if (chosen != null) {
                    server = chosen;
                    s = chosen.settings();
                }
            }
        }
        if (kept.size() != lines.size()) {
            req.headers().clear();
            for (Map.Entry<String, String> e : kept) {
                req.headers().add(e.getKey(), e.getValue());
            }
        }
    }

    /** True when a name has a character beyond letters, digits and "-": only then may a server's rules drop it. */
    private static boolean anyUnusualName(HttpHeaders h) {
        Iterator<Map.Entry<CharSequence, CharSequence>> it = h.iteratorCharSequence();
        while (it.hasNext()) {
            if (!validName(it.next().getKey(), false)) {
                return true;
            }
        }
        return false;
    }

    private static void logIgnored(HttpRequest req, ClientConnection conn, VirtualServer server, Map.Entry<String, String> line) {
        if (ErrorLog.get().enabled(LogLevel.INFO)) {
            String requestLine = req.method().name() + " " + req.uri() + " " + req.protocolVersion().text();
            ErrorLog.get().log(LogLevel.INFO, conn.id(), "client sent invalid header line: \""
                + ErrorLog.escape(line.getKey() + ": " + line.getValue()) + "\" while reading client request headers, client: "
                + conn.remoteHost() + ", server: " + server.primaryName() + ", request: \"" + ErrorLog.escape(requestLine) + "\"");
        }
    }

    /** nginx's valid header names: letters, digits, hyphens and, when allowed, underscores. */
    static boolean validName(CharSequence name, boolean underscores) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
                || (c == '_' && underscores);
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /**
     * nginx's host check: no "..", no "/", no NUL, control or space; the port and one trailing dot
     * are dropped and the name lower-cased. Returns null for a host nginx answers with 400.
     */
    static String validateHost(String host) {
        boolean literal = false;
        boolean rest = false;
        int dot = -2;
        int hostLen = host.length();
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            switch (c) {
                case '.' -> {
                    if (dot == i - 1) {
                        return null;
                    }
                    dot = i;
                }
                case ':' -> {
                    if (!rest && !literal) {
                        hostLen = i;
                        rest = true;
                    }
                }
                case '[' -> {
                    if (i == 0) {
                        literal = true;
                    }
                }
                case ']' -> {
                    if (literal && !rest) {
                        hostLen = i + 1;
                        literal = false;
                        rest = true;
                    }
                }
                default -> {
                    if (c == '/' || c <= 0x20 || c == 0x7f) {
                        return null;
                    }
                }
            }
        }
        if (dot == hostLen - 1) {
            hostLen--;
        }
        if (hostLen <= 0) {
            return null;
        }
        return host.substring(0, hostLen).toLowerCase(Locale.ROOT);
    }
}
