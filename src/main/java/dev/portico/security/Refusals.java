package dev.portico.security;

import dev.portico.config.ConfNode;
import dev.portico.core.BuildContext;
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
 * {@code allow}/{@code deny}, {@code auth_basic} and {@code auth_request} lines are the configuration in force's,
 * handed over by a reload to the line at the same file and line with the same text.
 */
public final class Refusals {
    /** One counter: e.g. {@code limit_req}, {@code one}, {@code rejected}, 12. */
    public record Row(String kind, String name, String counter, long value) {
    }

    /** The counters of one configuration line ({@code allow}/{@code deny}, {@code auth_basic}, {@code auth_request}). */
    interface LineCounts {
        void rows(String name, List<Row> out);
    }

    /** A line that counts one thing, e.g. the requests a {@code deny} refused. */
    static final class Single implements LineCounts {
        private final String kind;
        private final String counter;
        final LongAdder value = new LongAdder();

        Single(String kind, String counter) {
            this.kind = kind;
            this.counter = counter;
        }

        @Override
        public void rows(String name, List<Row> out) {
            out.add(new Row(kind, name, counter, value.sum()));
        }
    }

    /** The lines a configuration counts, by kind, each by {@code file:line text} in the order read. */
    private static final class ConfigLines {
        final Map<String, Map<String, LineCounts>> byKind = new LinkedHashMap<>();
    }

    private final ServerState server;
    /** The lines of the configuration in force, by kind; replaced whole when a configuration goes live. */
    private volatile Map<String, Map<String, LineCounts>> lines = Map.of();

    private Refusals(ServerState server) {
        this.server = server;
    }

    /** The server's counters. */
    public static Refusals of(ServerState server) {
        return server.part(Refusals.class, () -> new Refusals(server));
    }

    /**
     * Every counter at this moment: limit_req and limit_conn zones in force (by kind and name),
     * then the lines of the configuration in force (allow/deny, auth_basic, auth_request), in the
     * order they are written.
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
        lines.values().forEach(byName -> byName.forEach((name, counts) -> counts.rows(name, out)));
        return out;
    }

    /**
     * The counts of a configuration line being read, named {@code file:line text}: one per line
     * however often it is inherited or included, and the one in force at the same place with the
     * same text when there is one, so that a reload keeps the count where the line stands.
     */
    static <T extends LineCounts> T line(BuildContext build, String kind, ConfNode node, String text, Class<T> type,
                                         java.util.function.Supplier<T> create) {
        String name = node.file() + ":" + node.line() + " " + text;
        Map<String, LineCounts> mine = build.registry(ConfigLines.class, ConfigLines::new).byKind
            .computeIfAbsent(kind, k -> new LinkedHashMap<>());
        LineCounts c = mine.computeIfAbsent(name, k -> {
            LineCounts live = of(build.server()).lines.getOrDefault(kind, Map.of()).get(k);
            return type.isInstance(live) ? live : create.get();
        });
        return type.cast(c);
    }

    /** A configuration goes live: its lines are the ones counted (a line it dropped is forgotten). */
    static void activate(dev.portico.core.Snapshot next, ServerState server) {
        ConfigLines c = next.build().registry(ConfigLines.class);
        Map<String, Map<String, LineCounts>> copy = new LinkedHashMap<>();
        if (c != null) {
            c.byKind.forEach((kind, byName) -> copy.put(kind, Collections.unmodifiableMap(new LinkedHashMap<>(byName))));
        }
        of(server).lines = Collections.unmodifiableMap(copy);
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

}
