package dev.portico.http;

import dev.portico.config.directive.Settings;
import dev.portico.routing.ServerNameIndex;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
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
 * Checks a request head the way nginx does before any phase runs (RFC 9112 framing, Host,
 * version, target) and works out the host, the virtual server, the normalised path and the
 * query. A non-zero {@link #error()} is the status to answer with, closing the connection.
 */
public record RequestHead(int error, String reason, String rawTarget, String path, String args, String host,
                          VirtualServer server, Matcher serverMatch) {

    static RequestHead parse(HttpRequest req, ClientConnection conn, Settings defaults) {
        String target = req.uri();
        if (req.decoderResult().isFailure()) {
            Throwable c = req.decoderResult().cause();
            if (c instanceof TooLongHttpLineException) {
                return fail(414, "client sent too long URI", target);
            }
            if (c instanceof TooLongHttpHeaderException) {
                return fail(494, "client sent too large request headers", target);
            }
            return fail(400, "client sent invalid request: " + (c == null ? "" : c.getMessage()), target);
        }
        HttpVersion v = req.protocolVersion();
        if (v.majorVersion() != 1 || v.minorVersion() > 1) {
            return fail(v.majorVersion() > 1 ? 505 : 400, "client sent unsupported HTTP version", target);
        }
        HttpHeaders h = req.headers();
        Settings srvDefaults = defaults;
        String error = framingError(h, v);
        if (error != null) {
            return fail(400, error, target);
        }
        filterHeaderNames(h, srvDefaults);

        // the target: origin-form, absolute-form or "*"
        String host = null;
        String pathAndQuery;
        if (target.startsWith("/")) {
            pathAndQuery = target;
        } else if (target.regionMatches(true, 0, "http://", 0, 7) || target.regionMatches(true, 0, "https://", 0, 8)) {
            int start = target.indexOf("//") + 2;
            int slash = target.indexOf('/', start);
            int q = target.indexOf('?', start);
            int end = slash < 0 ? (q < 0 ? target.length() : q) : (q >= 0 && q < slash ? q : slash);
            host = target.substring(start, end);
            pathAndQuery = end < target.length() ? target.substring(end) : "/";
            if (pathAndQuery.startsWith("?")) {
                pathAndQuery = "/" + pathAndQuery;
            }
            if (host.indexOf('@') >= 0) {
                return fail(400, "client sent invalid request target", target);
            }
        } else if (target.equals("*") && req.method() == HttpMethod.OPTIONS) {
            pathAndQuery = "*";
        } else {
            return fail(400, "client sent invalid request target", target);
        }
        List<String> hosts = h.getAll(HttpHeaderNames.HOST);
        if (hosts.size() > 1) {
            return fail(400, "client sent duplicate host header", target);
        }
        if (hosts.isEmpty() && v.equals(HttpVersion.HTTP_1_1)) {
            return fail(400, "client sent HTTP/1.1 request without \"Host\" header", target);
        }
        if (host == null && !hosts.isEmpty()) {
            host = hosts.get(0);
        }
        String normHost = host == null ? "" : normalizeHost(host);
        if (normHost == null) {
            return fail(400, "client sent invalid host header", target);
        }
        String path;
        String args = null;
        if (pathAndQuery.equals("*")) {
            path = "*";
        } else {
            int q = pathAndQuery.indexOf('?');
            String rawPath = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
            if (q >= 0) {
                args = pathAndQuery.substring(q + 1);
            }
            int hash = rawPath.indexOf('#');
            if (hash >= 0) {
                rawPath = rawPath.substring(0, hash);
            }
            path = UriNormalizer.normalize(rawPath, defaults.get(HttpModule.MERGE_SLASHES));
            if (path == null) {
                return fail(400, "client sent invalid request", target);
            }
        }
        ServerNameIndex.Hit<VirtualServer> hit = conn.address().servers().find(normHost);
        return new RequestHead(0, null, target, path, args, normHost, hit.server(), hit.match());
    }

    private static RequestHead fail(int status, String reason, String target) {
        return new RequestHead(status, reason, target, "/", null, "", null, null);
    }

    /** RFC 9112 section 6: the framing rules whose violation is a smuggling vector. */
    static String framingError(HttpHeaders h, HttpVersion v) {
        List<String> te = h.getAll(HttpHeaderNames.TRANSFER_ENCODING);
        List<String> cl = h.getAll(HttpHeaderNames.CONTENT_LENGTH);
        if (!te.isEmpty()) {
            if (!cl.isEmpty()) {
                return "client sent \"Content-Length\" and \"Transfer-Encoding\" headers at the same time";
            }
            if (v.equals(HttpVersion.HTTP_1_0)) {
                return "client sent \"Transfer-Encoding\" in an HTTP/1.0 request";
            }
            String joined = String.join(",", te).trim();
            int comma = joined.lastIndexOf(',');
            String lastCoding = (comma < 0 ? joined : joined.substring(comma + 1)).trim();
            if (!lastCoding.equalsIgnoreCase("chunked")) {
                return "client sent unknown \"Transfer-Encoding\": \"" + joined + "\"";
            }
            if (!joined.equalsIgnoreCase("chunked")) {
                return "client sent unsupported \"Transfer-Encoding\": \"" + joined + "\"";
            }
        }
        if (cl.size() > 1) {
            String first = cl.get(0).trim();
            for (String c : cl) {
                if (!c.trim().equals(first)) {
                    return "client sent duplicate \"Content-Length\" header";
                }
            }
        }
        if (!cl.isEmpty()) {
            String c = cl.get(0).trim();
            if (c.isEmpty() || c.length() > 18 || !c.chars().allMatch(Character::isDigit)) {
                return "client sent invalid \"Content-Length\" header";
            }
        }
        return null;
    }

    /** Drops header names nginx ignores: with underscores (unless allowed) or with invalid characters. */
    private static void filterHeaderNames(HttpHeaders h, Settings s) {
        boolean underscores = s.get(HttpModule.UNDERSCORES_IN_HEADERS);
        boolean ignoreInvalid = s.get(HttpModule.IGNORE_INVALID_HEADERS);
        if (!ignoreInvalid) {
            return;
        }
        Iterator<Map.Entry<String, String>> it = h.iteratorAsString();
        java.util.List<String> drop = null;
        while (it.hasNext()) {
            String name = it.next().getKey();
            for (int i = 0; i < name.length(); i++) {
                char c = name.charAt(i);
                boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
                    || (c == '_' && underscores);
                if (!ok) {
                    if (drop == null) {
                        drop = new java.util.ArrayList<>();
                    }
                    drop.add(name);
                    break;
                }
            }
        }
        if (drop != null) {
            for (String n : drop) {
                h.remove(n);
            }
        }
    }

    /** Lower-cases, strips the port and a trailing dot; null for a host nginx rejects. */
    static String normalizeHost(String host) {
        String hst = host.trim();
        if (hst.isEmpty()) {
            return "";
        }
        int end = hst.length();
        if (hst.startsWith("[")) {
            int close = hst.indexOf(']');
            if (close < 0) {
                return null;
            }
            end = close + 1;
            if (end < hst.length() && hst.charAt(end) != ':') {
                return null;
            }
        } else {
            int colon = hst.indexOf(':');
            if (colon >= 0) {
                end = colon;
            }
        }
        String name = hst.substring(0, end).toLowerCase(Locale.ROOT);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == '\\' || c < 0x21 || c == 0x7f) {
                return null;
            }
            if (c == '.' && i + 1 < name.length() && name.charAt(i + 1) == '.') {
                return null;
            }
        }
        if (name.startsWith(".")) {
            return null;
        }
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        return name;
    }
}
