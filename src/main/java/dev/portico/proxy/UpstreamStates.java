package dev.portico.proxy;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/** Every attempt of an exchange (an exchange attachment), and the last backend response's headers. */
final class UpstreamStates {
    final List<UpstreamState> all = new ArrayList<>(2);
    HttpHeaders lastHeaders;
    HttpHeaders lastTrailers;

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
