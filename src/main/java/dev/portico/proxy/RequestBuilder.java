package dev.portico.proxy;

import dev.portico.http.Exchange;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The request head sent to the backend: method, URI, version, then the configured fields
 * (in order, user's before nginx's defaults), then the client's fields that are neither
 * configured nor hop-by-hop (nginx's order). Body framing describes what is actually sent.
 */
final class RequestBuilder {
    /** {@code bodyLength} values besides a length: no body, or a body streamed chunked. */
    static final long NO_BODY = -1;
    static final long CHUNKED = -2;

    private RequestBuilder() {
    }

    static HttpRequest build(Exchange ex, ProxyConf conf, HttpMethod method, String uri, long bodyLength) {
        // names come from the client's (validated) head or the configuration (checked at load);
        // values rendered from variables are cleaned of line breaks below
        HttpHeaders h = new DefaultHttpHeaders(false);
        boolean h2cStripped = false;
        for (RequestHeaderRules.Rule r : conf.headers.rules) {
            if (!r.framing() && !r.value().isConstant() && r.name().equalsIgnoreCase("Upgrade")
                && mentionsH2c(r.value().render(ex))) {
                // an upgrade to h2c taken from the client is a request-smuggling vector: only a literal value passes it
                h2cStripped = true;
            }
        }
        for (RequestHeaderRules.Rule r : conf.headers.rules) {
            if (r.framing()) {
                if (r.name().equalsIgnoreCase("Content-Length")) {
                    if (bodyLength >= 0) {
                        h.add("Content-Length", Long.toString(bodyLength));
                    }
                } else if (bodyLength == CHUNKED) {
                    h.add("Transfer-Encoding", HttpHeaderValues.CHUNKED);
                }
                continue;
            }
            String v = r.value().render(ex);
            if (h2cStripped && r.name().equalsIgnoreCase("Upgrade")) {
                continue;
            }
            if (h2cStripped && r.name().equalsIgnoreCase("Connection") && v.toLowerCase(java.util.Locale.ROOT).contains("upgrade")) {
                v = "close";
            }
            if (!v.isEmpty()) {
                h.add(r.name(), r.value().isConstant() ? v : withoutLineBreaks(v));
            }
        }
        if (conf.passRequestHeaders) {
            HttpHeaders in = ex.requestHeaders();
            List<String> connection = in.getAll(HttpHeaderNames.CONNECTION);
            for (Iterator<Map.Entry<CharSequence, CharSequence>> it = in.iteratorCharSequence(); it.hasNext(); ) {
                Map.Entry<CharSequence, CharSequence> e = it.next();
                CharSequence name = e.getKey();
                if (conf.headers.notCopied.contains(name) || (!connection.isEmpty() && listedIn(connection, name))) {
                    continue;
                }
                h.add(name, e.getValue());
            }
        }
        return new DefaultHttpRequest(conf.http11 ? HttpVersion.HTTP_1_1 : HttpVersion.HTTP_1_0, method, uri, h);
    }

    private static boolean mentionsH2c(String v) {
        return v.toLowerCase(java.util.Locale.ROOT).contains("h2c");
    }

    /** A value from variables ($uri is decoded) must not split the head: CR, LF and NUL become spaces. */
    static String withoutLineBreaks(String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '\r' || c == '\n' || c == 0) {
                return v.replace('\r', ' ').replace('\n', ' ').replace('\0', ' ');
            }
        }
        return v;
    }

    /** True when a Connection field lists the name (RFC 9110 7.6.1: such fields are hop-by-hop). */
    private static boolean listedIn(List<String> connection, CharSequence name) {
        for (String v : connection) {
            int i = 0;
            while (i < v.length()) {
                int comma = v.indexOf(',', i);
                int end = comma < 0 ? v.length() : comma;
                int s = i;
                int t = end;
                while (s < t && (v.charAt(s) == ' ' || v.charAt(s) == '\t')) {
                    s++;
                }
                while (t > s && (v.charAt(t - 1) == ' ' || v.charAt(t - 1) == '\t')) {
                    t--;
                }
                if (t - s == name.length() && v.regionMatches(true, s, name.toString(), 0, t - s)) {
                    return true;
                }
                i = end + 1;
            }
        }
        return false;
    }
}
