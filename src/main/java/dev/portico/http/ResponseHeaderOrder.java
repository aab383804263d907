package dev.portico.http;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Puts the response headers nginx generates itself first, in nginx's order and canonical case
 * (Netty's constants are lower-case; nginx writes "Content-Length"), followed by every other
 * header as it was added.
 */
final class ResponseHeaderOrder {
    static final String SERVER = "Server";
    static final String DATE = "Date";
    static final String CONTENT_TYPE = "Content-Type";
    static final String CONTENT_LENGTH = "Content-Length";
    static final String LAST_MODIFIED = "Last-Modified";
    static final String LOCATION = "Location";
    static final String TRANSFER_ENCODING = "Transfer-Encoding";
    static final String CONNECTION = "Connection";
    static final String KEEP_ALIVE = "Keep-Alive";

    /** ngx_http_header_filter's order. */
    private static final String[] FIRST = {
        SERVER, DATE, CONTENT_TYPE, CONTENT_LENGTH, LAST_MODIFIED, LOCATION, TRANSFER_ENCODING, CONNECTION, KEEP_ALIVE,
    };

    private ResponseHeaderOrder() {
    }

    /** Reorders {@code h} itself (for HTTP/2, whose frames take the headers as they are). */
    static void apply(HttpHeaders h) {
        List<Map.Entry<String, String>> all = new ArrayList<>(h.size());
        for (Map.Entry<String, String> e : h) {
            all.add(Map.entry(e.getKey(), e.getValue()));
        }
        h.clear();
        for (String name : FIRST) {
            for (Map.Entry<String, String> e : all) {
                if (e.getKey().equalsIgnoreCase(name)) {
                    h.add(name, e.getValue());
                }
            }
        }
        for (Map.Entry<String, String> e : all) {
            if (rank(e.getKey()) < 0) {
                h.add(e.getKey(), e.getValue());
            }
        }
    }

    /**
     * Writes {@code h} as HTTP/1 header lines in nginx's order, without rebuilding the headers:
     * one pass finds nginx's own headers (a head has a handful), a second writes the rest.
     */
    static void write(HttpHeaders h, ByteBuf buf) {
        int found = 0;
        CharSequence[] values = null;
        int[] ranks = null;
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = h.iteratorCharSequence(); it.hasNext(); ) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            int r = rank(e.getKey());
            if (r < 0) {
                continue;
            }
            if (values == null) {
                values = new CharSequence[FIRST.length * 2];
                ranks = new int[FIRST.length * 2];
            } else if (found == values.length) {
                values = java.util.Arrays.copyOf(values, found * 2);
                ranks = java.util.Arrays.copyOf(ranks, found * 2);
            }
            values[found] = e.getValue();
            ranks[found++] = r;
        }
        for (int r = 0; r < FIRST.length && found > 0; r++) {
            for (int i = 0; i < found; i++) {
                if (ranks[i] == r) {
                    line(buf, FIRST[r], values[i]);
                }
            }
        }
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = h.iteratorCharSequence(); it.hasNext(); ) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            if (found == 0 || rank(e.getKey()) < 0) {
                line(buf, e.getKey(), e.getValue());
            }
        }
    }

    /** One "Name: value" line; chars past Latin-1 become '?' as Netty's own encoder writes them. */
    private static void line(ByteBuf buf, CharSequence name, CharSequence value) {
        int n = name.length();
        int v = value.length();
        buf.ensureWritable(n + v + 4);
        int at = buf.writerIndex();
        at = chars(buf, at, name, n);
        buf.setByte(at++, ':');
        buf.setByte(at++, ' ');
        at = chars(buf, at, value, v);
        buf.setByte(at++, '\r');
        buf.setByte(at++, '\n');
        buf.writerIndex(at);
    }

    private static int chars(ByteBuf buf, int at, CharSequence s, int len) {
        for (int i = 0; i < len; i++) {
            char c = s.charAt(i);
            buf.setByte(at++, c < 256 ? c : '?');
        }
        return at;
    }

    /** The place of {@code name} among nginx's own headers, or -1: by length first, one compare at most two. */
    private static int rank(CharSequence name) {
        switch (name.length()) {
            case 4:
                return is(name, 1) ? 1 : -1;
            case 6:
                return is(name, 0) ? 0 : -1;
            case 8:
                return is(name, 5) ? 5 : -1;
            case 10:
                return is(name, 7) ? 7 : is(name, 8) ? 8 : -1;
            case 12:
                return is(name, 2) ? 2 : -1;
            case 13:
                return is(name, 4) ? 4 : -1;
            case 14:
                return is(name, 3) ? 3 : -1;
            case 17:
                return is(name, 6) ? 6 : -1;
            default:
                return -1;
        }
    }

    private static boolean is(CharSequence name, int rank) {
        return io.netty.util.AsciiString.contentEqualsIgnoreCase(name, FIRST[rank]);
    }
}
