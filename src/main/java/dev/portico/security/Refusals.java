package dev.portico.security;

import dev.portico.core.ServerState;
import dev.portico.core.Zone;
import dev.portico.http.Exchange;
import dev.portico.http.HttpModule;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the defence modules refused, per zone and per configuration line, for the status page
 * and metrics: one server's part ({@code Refusals.of(server)}). Zone counters live in the zone
 * ({@link LimitReqZone}, {@link LimitConnZone}) and last as long as it does; the counters of
 * {@code allow}/{@code deny} and {@code auth_basic} lines are the configuration in force's,
 * handed over by a reload to the line at the same file and line with the same text.
 */
public final class Refusals {
    /** One counter: e.g. {@code limit_req}, {@code one}, {@code rejected}, 12. */
    public record Row(String kind, String name, String counter, long value) {
    }

    private final ServerState server;
    /** By {@code file:line text}, in configuration order; replaced whole when a configuration goes live. */
    private volatile Map<String, LongAdder> rules = Map.of();
    private volatile Map<String, AuthBasic.Counts> realms = Map.of();

    private Refusals(ServerState server) {
        this.server = server;
    }

    /** The server's counters. */
    public static Refusals of(ServerState server) {
        return server.part(Refusals.class, () -> new Refusals(server));
    }

    /**
     * Every counter at this moment: limit_req and limit_conn zones in force (by kind and name),
     * then the allow/deny rules and auth_basic lines of the configuration in force, in the order
     * they are written.
     */
    public List<Row> rows() {
        List<Row> out = new ArrayList<>();
        List<Zone<?>> zones = new ArrayList<>(server.zones());
        zones.sort(Comparator.comparing((Zone<?> z) -> z.spec().kind()).thenComparing(z -> z.spec().name()));
        for (Zone<?> z : zones) {
            if (z.value() instanceof LimitReqZone r) {
                r.rows(z.spec().name(), out);
            } else if (z.value() instanceof LimitConnZone c) {
                c.rows(z.spec().name(), out);
            }
        }
        rules.forEach((name, denied) -> out.add(new Row("access", name, "denied", denied.sum())));
        realms.forEach((name, counts) -> counts.rows(name, out));
        return out;
    }

    /** The counter of a rule in force at the same place with the same text, or a new one. */
    LongAdder rule(String name) {
        LongAdder live = rules.get(name);
        return live != null ? live : new LongAdder();
    }

    AuthBasic.Counts realm(String name) {
        AuthBasic.Counts live = realms.get(name);
        return live != null ? live : new AuthBasic.Counts();
    }

    /** A configuration goes live: its lines are the ones counted (a line it dropped is forgotten). */
    void rules(Map<String, LongAdder> next) {
        rules = Collections.unmodifiableMap(new LinkedHashMap<>(next));
    }

    void realms(Map<String, AuthBasic.Counts> next) {
        realms = Collections.unmodifiableMap(new LinkedHashMap<>(next));
    }

    /**
     * Counts an access-phase denial: at once, or under {@code satisfy any} only if the request
     * ends up refused (another check may still let it in).
     */
    static void countDenial(Exchange ex, LongAdder counter) {
        if (ex.settings().get(HttpModule.SATISFY_ANY)) {
            ex.ifAccessRefused(counter::increment);
        } else {
            counter.increment();
        }
    }

    /** How a configuration line is named in the rows: {@code /etc/nginx/nginx.conf:12 deny 10.0.0.0/8}. */
    static String lineName(dev.portico.config.ConfNode node, String text) {
        return node.file() + ":" + node.line() + " " + text;
    }
}
