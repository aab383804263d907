package dev.portico.security;

import static dev.portico.config.directive.Context.HTTP;
import static dev.portico.config.directive.Context.LOCATION;
import static dev.portico.config.directive.Context.SERVER;

import dev.portico.config.ConfNode;
import dev.portico.config.ConfigException;
import dev.portico.config.directive.Arity;
import dev.portico.config.directive.Directive;
import dev.portico.config.directive.Level;
import dev.portico.config.directive.Settings;
import dev.portico.config.directive.Slot;
import dev.portico.core.BuildContext;
import dev.portico.core.Zone;
import dev.portico.http.Phase;
import dev.portico.http.PhaseHandler;
import dev.portico.http.PipelineModule;
import dev.portico.http.RequestPipeline;
import dev.portico.observability.LogLevel;
import dev.portico.variables.Template;
import dev.portico.variables.Variables;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * ngx_http_limit_conn_module: {@code limit_conn_zone} declares a zone (the running server's,
 * kept across reloads), {@code limit_conn} lines make a location's pre-access handler
 * ({@link LimitConn}); lines are inherited only by a level without lines of its own.
 */
public final class LimitConnModule implements PipelineModule {
    /** One {@code limit_conn} line as read. */
    record Line(String zone, int number, ConfNode node) {
    }

    private record Declared(Zone<LimitConnZone> zone, Template key) {
    }

    private static final class Zones {
        final Map<String, Declared> byName = new HashMap<>();
    }

    static final Slot<List<Line>> LIMIT_CONN = Slot.of("limit_conn", null);
    static final Slot<Integer> STATUS = Slot.of("limit_conn_status", 503);
    static final Slot<LogLevel> LOG_LEVEL = Slot.of("limit_conn_log_level", LogLevel.ERROR);
    static final Slot<Boolean> DRY_RUN = Slot.of("limit_conn_dry_run", false);

    public LimitConnModule() {
    }

    @Override
    public List<Directive> directives() {
        EnumSet<dev.portico.config.directive.Context> hsl = EnumSet.of(HTTP, SERVER, LOCATION);
        return List.of(
            Directive.simple("limit_conn_zone", EnumSet.of(HTTP), Arity.TAKE2, LimitConnModule::zone),
            Directive.simple("limit_conn", hsl, Arity.TAKE2, LimitConnModule::limit),
            Directive.simple("limit_conn_status", hsl, Arity.TAKE1, (level, node) -> level.set(STATUS, Limits.status(node), node)),
            Directive.simple("limit_conn_log_level", hsl, Arity.TAKE1,
                (level, node) -> level.set(LOG_LEVEL, Limits.logLevel(node), node)),
            Directive.flag("limit_conn_dry_run", hsl, DRY_RUN));
    }

    @Override
    public void contribute(RequestPipeline.Builder pipeline) {
        pipeline.variables().builtin("limit_conn_status", ex -> {
            LimitConn.Outcome o = ex.attachment(LimitConn.Outcome.class);
            return o == null ? null : o.name();
        });
        pipeline.handler(Phase.PREACCESS, LimitConnModule::handler);
    }

    private static PhaseHandler handler(Settings s, BuildContext build) throws ConfigException {
        List<Line> lines = s.get(LIMIT_CONN);
        if (lines == null || lines.isEmpty()) {
            return null;
        }
        Zones zones = build.registry(Zones.class, Zones::new);
        LimitConn.Limit[] limits = new LimitConn.Limit[lines.size()];
        for (int i = 0; i < limits.length; i++) {
            Line l = lines.get(i);
            Declared d = zones.byName.get(l.zone());
            if (d == null) {
                throw l.node().error("zero size shared memory zone \"" + l.zone() + "\"");
            }
            limits[i] = new LimitConn.Limit(l.zone(), d.zone().value(), d.key(), l.number());
        }
        return new LimitConn(limits, s.get(STATUS), s.get(LOG_LEVEL), s.get(DRY_RUN));
    }

    /** {@code limit_conn_zone key zone=name:size}. */
    private static void zone(Level level, ConfNode node) throws ConfigException {
        if (!node.arg(1).startsWith("zone=")) {
            throw node.error("invalid parameter \"" + node.arg(1) + "\"");
        }
        ZoneParameter z = ZoneParameter.parse(node, node.arg(1));
        BuildContext build = level.nearest(BuildContext.class);
        Template key = Template.compile(node.arg(0), Variables.of(build));
        Zone<LimitConnZone> zone;
        try {
            zone = build.zone(LimitConnZone.KIND, new Zone.Spec("limit_conn_zone", z.name(), z.size(), node.arg(0)));
        } catch (ConfigException e) {
            throw node.error(e.bareMessage());
        }
        build.registry(Zones.class, Zones::new).byName.put(z.name(), new Declared(zone, key));
    }

    /** {@code limit_conn zone number}. */
    private static void limit(Level level, ConfNode node) throws ConfigException {
        String zone = node.arg(0);
        String v = node.arg(1);
        if (v.isEmpty() || v.length() > 9 || !v.chars().allMatch(Character::isDigit) || Integer.parseInt(v) == 0) {
            throw node.error("invalid number of connections \"" + v + "\"");
        }
        int n = Integer.parseInt(v);
        if (n > 65535) {
            throw node.error("connection limit must be less 65536");
        }
        List<Line> own = level.getOwn(LIMIT_CONN);
        if (own != null) {
            for (Line l : own) {
                if (l.zone().equals(zone)) {
                    throw node.error("\"limit_conn\" directive is duplicate");
                }
            }
        }
        level.add(LIMIT_CONN, new Line(zone, n, node));
    }
}
