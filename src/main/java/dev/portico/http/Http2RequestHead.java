package dev.portico.http;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2Headers;
import java.util.Map;

/**
 * An HTTP/2 request's header block as the request the rest of Portico reads: {@code :method}
 * and {@code :path} make the request line (logged as {@code GET /x HTTP/2.0}, as nginx logs it),
 * {@code :authority} becomes the Host field, split {@code cookie} fields are joined with
 * "; " (RFC 9113 section 8.2.3, as nginx does). Netty's codec has checked the frame-level rules
 * (pseudo-header order and set, lower-case names, no connection-specific fields); what nginx
 * answers with 400 is marked as a decoder failure, which {@link RequestHead} turns into the answer.
 */
final class Http2RequestHead {
    /** The version an HTTP/2 request carries: {@code $server_protocol} is "HTTP/2.0". */
    static final HttpVersion HTTP_2 = new HttpVersion("HTTP", 2, 0, true);

    private Http2RequestHead() {
    }

    static HttpRequest toRequest(Http2Headers in) {
        CharSequence method = in.method();
        CharSequence path = in.path();
        HttpHeaders headers = new DefaultHttpHeaders(false);
        StringBuilder cookie = null;
        String invalid = null;
        for (Map.Entry<CharSequence, CharSequence> e : in) {
            CharSequence name = e.getKey();
            if (name.length() > 0 && name.charAt(0) == ':') {
                continue;
            }
            String value = e.getValue().toString();
            if (!validValue(value)) {
                invalid = "client sent invalid header value: \"" + name + "\"";
            }
            if (HttpHeaderNames.COOKIE.contentEqualsIgnoreCase(name)) {
                cookie = cookie == null ? new StringBuilder(value) : cookie.append("; ").append(value);
                continue;
            }
            headers.add(name, value);
        }
        if (cookie != null) {
            headers.add(HttpHeaderNames.COOKIE, cookie.toString());
        }
        CharSequence authority = in.authority();
        if (authority != null) {
            // RFC 9113 section 8.3.1: the authority stands for the Host field, and wins over one sent too
            headers.set(HttpHeaderNames.HOST, authority.toString());
        }
        HttpMethod m = null;
        if (method != null) {
            try {
                m = HttpMethod.valueOf(method.toString());
            } catch (IllegalArgumentException e) {
                invalid = "client sent invalid method";
            }
        }
        if (m == null) {
            m = HttpMethod.GET;
            invalid = invalid != null ? invalid : "client sent no :method header";
        }
        String target = path == null ? "" : path.toString();
        if (path == null || target.isEmpty()) {
            invalid = invalid != null ? invalid : m.equals(HttpMethod.CONNECT) ? "client sent invalid method" : "client sent no :path header";
        }
        DefaultHttpRequest req = new DefaultHttpRequest(HTTP_2, m, target.isEmpty() ? "/" : target, headers);
        if ("client sent invalid method".equals(invalid) && m.equals(HttpMethod.CONNECT)) {
            // nginx 1.25+ (ngx_http_v2_construct_request_line): a CONNECT request, which has no :path, gets 405
            req.setDecoderResult(DecoderResult.failure(new RequestRejectedException(405, "client sent CONNECT method")));
        } else if (invalid != null) {
            req.setDecoderResult(DecoderResult.failure(new RequestRejectedException(400, invalid)));
        }
        return req;
    }

    /** nginx refuses NUL, CR and LF in an HTTP/2 field value (HPACK can carry any byte). */
    private static boolean validValue(String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == 0 || c == '\r' || c == '\n') {
                return false;
            }
        }
        return true;
    }
}
