package dev.portico.proxy;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/** Every attempt of an exchange (an exchange attachment), and the last backend response's headers. */
final class UpstreamStates {
    final List<UpstreamState> all = new ArrayList<>(2);
    /** The last backend response's fields as sent to the client... */
    HttpHeaders lastHeaders;
    /** ...and the fields of it that were hidden or rewritten, as the backend sent them (or null). */
    List<String[]> lastOriginals;
    HttpHeaders lastTrailers;

    /**
     * A field of the last backend response as the backend sent it ({@code $upstream_http_NAME}),
     * values joined by ", ". A name that was hidden or rewritten shows its original values.
     */
    String upstreamHeader(String name) {
        if (lastOriginals != null) {
            StringBuilder b = null;
            for (String[] h : lastOriginals) {
                if (h[0].equalsIgnoreCase(name)) {
                    b = b == null ? new StringBuilder(h[1]) : b.append(", ").append(h[1]);
                }
            }
            if (b != null) {
                return b.toString();
            }
        }
        if (lastHeaders == null) {
            return null;
        }
        List<String> all = lastHeaders.getAll(name);
        if (all.isEmpty()) {
            return null;
        }
        return all.size() == 1 ? all.get(0) : String.join(", ", all);
    }

    /** All Set-Cookie fields of the last backend response as it sent them. */
    List<String> upstreamCookies() {
        List<String> out = new ArrayList<>();
        if (lastOriginals != null) {
            for (String[] h : lastOriginals) {
                if (h[0].equalsIgnoreCase("Set-Cookie")) {
                    out.add(h[1]);
                }
            }
            if (!out.isEmpty()) {
                return out;
            }
        }
        if (lastHeaders != null) {
            out.addAll(lastHeaders.getAll("Set-Cookie"));
        }
        return out;
    }

    UpstreamState add(String addr, boolean newGroup) {
        UpstreamState s = new UpstreamState(addr, newGroup && !all.isEmpty());
        all.add(s);
        return s;
    }

    /** nginx's list form: "a, b" between attempts, "a : b" across internal redirects. */
    String join(Function<UpstreamState, String> f) {
        if (all.isEmpty()) {
            return null;
        }
        if (all.size() == 1) {
            return f.apply(all.get(0));
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < all.size(); i++) {
            UpstreamState s = all.get(i);
            if (i > 0) {
                b.append(s.newGroup ? " : " : ", ");
            }
            b.append(f.apply(s));
        }
        return b.toString();
    }

    static String seconds(long nanos) {
        if (nanos < 0) {
            return "-";
        }
        long ms = nanos / 1_000_000L;
        return String.format(Locale.ROOT, "%d.%03d", ms / 1000, ms % 1000);
    }
}
