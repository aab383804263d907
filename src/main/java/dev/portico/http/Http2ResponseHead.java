package dev.portico.http;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.AsciiString;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

/**
 * A filtered response head as the header block of an HTTP/2 HEADERS frame, as nginx's
 * ngx_http_v2_header_filter writes it: {@code :status}, then the fields nginx generates itself in
 * its order, then every other field as it was added; names in lower case, and without the
 * connection-specific fields HTTP/2 forbids (Connection and what it names, Keep-Alive,
 * Proxy-Connection, Transfer-Encoding, Upgrade; RFC 9113 section 8.2.2).
 */
final class Http2ResponseHead {
    /** ngx_http_v2_header_filter's order (ResponseHeaderOrder's, less what HTTP/2 leaves out). */
    private static final AsciiString[] FIRST = {
        AsciiString.cached("server"), AsciiString.cached("date"), AsciiString.cached("content-type"),
        AsciiString.cached("content-length"), AsciiString.cached("last-modified"), AsciiString.cached("location"),
    };
    private static final byte OTHER = (byte) FIRST.length;
    private static final byte DROP = (byte) (OTHER + 1);

    private Http2ResponseHead() {
    }

    /** The header block; {@code size} receives its size as nginx counts a head ($bytes_sent, header_size). */
    static Http2Headers toHttp2(HttpResponse head, long[] size) {
        HttpHeaders in = head.headers();
        int n = in.size();
        CharSequence[] names = new CharSequence[n];
        CharSequence[] values = new CharSequence[n];
        byte[] kind = new byte[n];
        boolean connection = false;
        Iterator<Map.Entry<CharSequence, CharSequence>> it = in.iteratorCharSequence();
        for (int i = 0; i < n && it.hasNext(); i++) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            names[i] = e.getKey();
            values[i] = e.getValue();
            kind[i] = kind(names[i]);
            connection |= kind[i] == DROP && AsciiString.contentEqualsIgnoreCase(names[i], "connection");
        }
        if (connection) {
            dropNamedByConnection(in, names, kind);
        }
        DefaultHttp2Headers out = new DefaultHttp2Headers(false, n + 1);
        CharSequence status = head.status().codeAsText();
        out.status(status);
        long bytes = 9 + 7 + 2 + status.length();
        for (byte k = 0; k < OTHER; k++) {
            for (int i = 0; i < n; i++) {
                if (kind[i] == k) {
                    out.add(FIRST[k], values[i]);
                    bytes += FIRST[k].length() + values[i].length() + 2;
                }
            }
        }
        for (int i = 0; i < n; i++) {
            if (kind[i] == OTHER) {
                CharSequence name = lowerCase(names[i]);
                out.add(name, values[i]);
                bytes += name.length() + values[i].length() + 2;
            }
        }
        size[0] = bytes;
        return out;
    }

    private static byte kind(CharSequence name) {
        for (byte k = 0; k < OTHER; k++) {
            if (FIRST[k].contentEqualsIgnoreCase(name)) {
                return k;
            }
        }
        switch (name.length()) {
            case 2:
                // TE: only "trailers" is allowed, and only in requests
                return AsciiString.contentEqualsIgnoreCase(name, "te") ? DROP : OTHER;
            case 4:
                return AsciiString.contentEqualsIgnoreCase(name, "host") ? DROP : OTHER;
            case 7:
                return AsciiString.contentEqualsIgnoreCase(name, "upgrade") ? DROP : OTHER;
            case 10:
                return AsciiString.contentEqualsIgnoreCase(name, "connection")
                    || AsciiString.contentEqualsIgnoreCase(name, "keep-alive") ? DROP : OTHER;
            case 16:
                return AsciiString.contentEqualsIgnoreCase(name, "proxy-connection") ? DROP : OTHER;
            case 17:
                return AsciiString.contentEqualsIgnoreCase(name, "transfer-encoding") ? DROP : OTHER;
            default:
                return OTHER;
        }
    }

    /** The fields a Connection header names are the hop's own: they do not go either. */
    private static void dropNamedByConnection(HttpHeaders in, CharSequence[] names, byte[] kind) {
        for (String value : in.getAll("connection")) {
            for (String token : value.split(",")) {
                String t = token.trim();
                for (int i = 0; i < names.length; i++) {
                    if (kind[i] == OTHER && AsciiString.contentEqualsIgnoreCase(names[i], t)) {
                        kind[i] = DROP;
                    }
                }
            }
        }
    }

    private static CharSequence lowerCase(CharSequence name) {
        if (name instanceof AsciiString a) {
            return a.toLowerCase();
        }
        // the same String when it is lower case already
        return name.toString().toLowerCase(Locale.ROOT);
    }
}
