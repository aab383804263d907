package dev.portico.proxy;

import dev.portico.http.Exchange;
import dev.portico.observability.LogLevel;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Fields nginx takes once from a backend's head ({@code Expires}, {@code X-Accel-Expires},
 * {@code X-Accel-Limit-Rate}): a repeated line is dropped with a warning, the first one counts,
 * for the client and for {@code $upstream_http_*} alike.
 */
final class SingleFields {
    private static final HeaderNameSet NAMES = new HeaderNameSet(List.of("Expires", "X-Accel-Expires", "X-Accel-Limit-Rate"));

    private SingleFields() {
    }

    static void dropRepeated(Exchange ex, Attempt from, HttpHeaders h) {
        Map<String, String> first = null;
        boolean repeated = false;
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = h.iteratorCharSequence(); it.hasNext(); ) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            if (!NAMES.contains(e.getKey())) {
                continue;
            }
            if (first == null) {
                first = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            }
            String key = e.getKey().toString();
            if (!first.containsKey(key)) {
                first.put(key, key + ": " + e.getValue());
                continue;
            }
            ProxyLog.log(LogLevel.WARN, ex, "upstream sent duplicate header line: \"" + key + ": " + e.getValue()
                + "\", previous value: \"" + first.get(key) + "\", ignored", ProxyLog.READING_HEADER, from.upstreamUri());
            repeated = true;
        }
        if (repeated) {
            keepFirst(h);
        }
    }

    /** Rebuilds the fields in their order without the repeated lines (rare: only after a warning). */
    private static void keepFirst(HttpHeaders h) {
        List<Map.Entry<String, String>> kept = new ArrayList<>();
        Set<String> seen = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        for (Map.Entry<String, String> e : h) {
            if (!NAMES.contains(e.getKey()) || seen.add(e.getKey())) {
                kept.add(Map.entry(e.getKey(), e.getValue()));
            }
        }
        h.clear();
        for (Map.Entry<String, String> e : kept) {
            h.add(e.getKey(), e.getValue());
        }
    }
}
