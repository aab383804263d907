package dev.portico.http.headers;

import dev.portico.config.directive.Settings;
import dev.portico.http.Exchange;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.ArrayList;
import java.util.List;

/**
 * Applies {@code expires}, {@code add_header} and {@code add_trailer} to a response, in nginx's
 * order. Without {@code always}, fields go only on 200, 201, 204, 206, 301, 302, 303, 304, 307
 * and 308 responses; {@code expires} only ever on those.
 */
final class HeadersFilter {
    private HeadersFilter() {
    }

    /** The trailer fields a response promised in its head (they need chunked framing). */
    private record PendingTrailers(List<HeaderField> fields, boolean safe) {
    }

    static boolean safeStatus(int status) {
        return switch (status) {
            case 200, 201, 204, 206, 301, 302, 303, 304, 307, 308 -> true;
            default -> false;
        };
    }

    static void filterHead(Exchange ex, HttpResponse response) {
        Settings s = ex.settings();
        HttpHeaders h = response.headers();
        boolean safe = safeStatus(response.status().code());
        Expires expires = s.get(HeadersModule.EXPIRES);
        if (safe && expires.mode() != Expires.Mode.OFF) {
            expires.apply(ex, h);
        }
        for (HeaderField f : FieldList.inForce(s.get(HeadersModule.HEADERS), s)) {
            if (safe || f.always()) {
                f.apply(h, f.render(ex));
            }
        }
        List<HeaderField> trailers = FieldList.inForce(s.get(HeadersModule.TRAILERS), s);
        if (!trailers.isEmpty() && canCarryTrailers(ex, response)
            && trailers.stream().anyMatch(f -> safe || f.always())) {
            // trailers need chunked framing: the length is dropped, as nginx's chunked filter does
            h.remove(HttpHeaderNames.CONTENT_LENGTH);
            h.set("Transfer-Encoding", HttpHeaderValues.CHUNKED);
            ex.attach(PendingTrailers.class, new PendingTrailers(trailers, safe));
        }
    }

    private static boolean canCarryTrailers(Exchange ex, HttpResponse response) {
        int status = response.status().code();
        // HTTP/1.1 carries trailers after the last chunk, HTTP/2 in a HEADERS frame after the DATA
        return (ex.request().protocolVersion().equals(HttpVersion.HTTP_1_1) || ex.request().protocolVersion().majorVersion() == 2)
            && !ex.isHead()
            && status >= 200 && status != 204 && status != 304;
    }

    static LastHttpContent filterTrailers(Exchange ex, LastHttpContent last) {
        PendingTrailers p = ex.attachment(PendingTrailers.class);
        if (p == null) {
            return last;
        }
        List<String[]> values = new ArrayList<>();
        for (HeaderField f : p.fields()) {
            if (p.safe() || f.always()) {
                String v = f.render(ex);
                if (!v.isEmpty()) {
                    values.add(new String[] {f.name(), v});
                }
            }
        }
        if (values.isEmpty()) {
            return last;
        }
        DefaultLastHttpContent out = new DefaultLastHttpContent(last.content().retain());
        out.trailingHeaders().set(last.trailingHeaders());
        for (String[] v : values) {
            out.trailingHeaders().add(v[0], v[1]);
        }
        last.release();
        return out;
    }
}
