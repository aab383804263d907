package dev.portico.http;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
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
            if (!isFirst(e.getKey())) {
                h.add(e.getKey(), e.getValue());
            }
        }
    }

    private static boolean isFirst(String name) {
        for (String f : FIRST) {
            if (f.equalsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }
}
