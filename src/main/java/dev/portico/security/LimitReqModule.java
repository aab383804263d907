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
import dev.portico.config.directive.Values;
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
 * ngx_http_limit_req_module: {@code limit_req_zone} declares a zone (kept by the running
 * server across reloads, see {@link dev.portico.core.ServerState}); {@code limit_req} lines in
 * a location make its pre-access handler ({@link LimitReq}). Lines are inherited only by a level
 * without lines of its own, as nginx.
 */
public final class LimitReqModule implements PipelineModule {
    /** One {@code limit_req} line as read. */
    record Line(String zone, long burst, long delay, ConfNode node) {
    }

    /** A zone as this configuration declares it: the server's state, the key and the rate. */
    private record Declared(Zone<LimitReqZone> zone, Template key, long rateMilli) {
    }

    /** The zones of the configuration being built, by name. */
    private static final class Zones {
        final Map<String, Declared> byName = new HashMap<>();
    }

    static final Slot<List<Line>> LIMIT_REQ = Slot.of("limit_req", null);
    static final Slot<Integer> STATUS = Slot.of("limit_req_status", 503);
    static final Slot<LogLevel> LOG_LEVEL = Slot.of("limit_req_log_level", LogLevel.ERROR);
    static final Slot<Boolean> DRY_RUN = Slot.of("limit_req_dry_run", false);

    public LimitReqModule() {
    }

    @Override
    public List<Directive> directives() {
        EnumSet<dev.portico.config.directive.Context> hsl = EnumSet.of(HTTP, SERVER, LOCATION);
        return List.of(
            Directive.simple("limit_req_zone", EnumSet.of(HTTP), Arity.ONE_OR_MORE, LimitReqModule::zone),
            Directive.simple("limit_req", hsl, Arity.ONE_OR_MORE, LimitReqModule::limit),
            Directive.simple("limit_req_status", hsl, Arity.TAKE1, (level, node) -> level.set(STATUS, Limits.status(node), node)),
            Directive.simple("limit_req_log_level", hsl, Arity.TAKE1,
                (level, node) -> level.set(LOG_LEVEL, Limits.logLevel(node), node)),
            Directive.flag("limit_req_dry_run", hsl, DRY_RUN));
    }

    @Override
    public void contribute(RequestPipeline.Builder pipeline) {
        pipeline.variables().builtin("limit_req_status", ex -> {
            LimitReq.Outcome o = ex.attachment(LimitReq.Outcome.class);
            return o == null ? null : o.name();
        });
        pipeline.handler(Phase.PREACCESS, LimitReqModule::handler);
    }

    private static PhaseHandler handler(Settings s, BuildContext build) throws ConfigException {
        List<Line> lines = s.get(LIMIT_REQ);
        if (lines == null || lines.isEmpty()) {
            return null;
        }
        Zones zones = build.registry(Zones.class, Zones::new);
        LimitReq.Limit[] limits = new LimitReq.Limit[lines.size()];
        for (int i = 0; i < limits.length; i++) {
            Line l = lines.get(i);
            Declared d = zones.byName.get(l.zone());
            if (d == null) {
                throw l.node().error("zero size shared memory zone \"" + l.zone() + "\"");
            }
            limits[i] = new LimitReq.Limit(l.zone(), d.zone().value(), d.key(), d.rateMilli(), l.burst() * 1000,
                l.delay() == Long.MAX_VALUE ? Long.MAX_VALUE : l.delay() * 1000);
        }
        return new LimitReq(limits, s.get(STATUS), s.get(LOG_LEVEL), s.get(DRY_RUN), build.server().clock());
    }

    /** {@code limit_req_zone key zone=name:size rate=rate [sync]}. */
    private static void zone(Level level, ConfNode node) throws ConfigException {
        BuildContext build = level.nearest(BuildContext.class);
        String name = null;
        long size = 0;
        long rateMilli = 1000;
        for (int i = 1; i < node.argCount(); i++) {
            String a = node.arg(i);
            if (a.startsWith("zone=")) {
                ZoneParameter z = ZoneParameter.parse(node, a);
                name = z.name();
                size = z.size();
            } else if (a.startsWith("rate=")) {
                rateMilli = rate(node, a);
            } else if (!a.equals("sync")) {
                throw node.error("invalid parameter \"" + a + "\"");
            }
        }
        if (name == null) {
            throw node.error("\"" + node.name() + "\" must have \"zone\" parameter");
        }
        Template key = Template.compile(node.arg(0), Variables.of(build));
        Zone<LimitReqZone> zone;
        try {
            zone = build.zone(LimitReqZone.KIND, new Zone.Spec("limit_req_zone", name, size, node.arg(0)));
        } catch (ConfigException e) {
            throw node.error(e.bareMessage());
        }
        build.registry(Zones.class, Zones::new).byName.put(name, new Declared(zone, key, rateMilli));
    }

    /** {@code rate=Nr/s} or {@code rate=Nr/m}, in milli-requests per second as nginx keeps it. */
    private static long rate(ConfNode node, String a) throws ConfigException {
        String v = a.substring(5);
        long per;
        if (v.endsWith("r/s")) {
            per = 1;
        } else if (v.endsWith("r/m")) {
            per = 60;
        } else {
            throw node.error("invalid rate \"" + a + "\"");
        }
        String n = v.substring(0, v.length() - 3);
        if (n.isEmpty() || n.length() > 9 || !n.chars().allMatch(Character::isDigit) || Long.parseLong(n) == 0) {
            throw node.error("invalid rate \"" + a + "\"");
        }
        return Long.parseLong(n) * 1000 / per;
    }

    /** {@code limit_req zone=name [burst=N] [nodelay | delay=N]}. */
    private static void limit(Level level, ConfNode node) throws ConfigException {
        String zone = null;
        long burst = 0;
        long delay = 0;
        for (String a : node.args()) {
            if (a.startsWith("zone=")) {
                zone = a.substring(5);
            } else if (a.startsWith("burst=")) {
                burst = positive(node, a.substring(6), "burst");
            } else if (a.startsWith("delay=")) {
                delay = positive(node, a.substring(6), "delay");
            } else if (a.equals("nodelay")) {
                delay = Long.MAX_VALUE;
            } else {
                throw node.error("invalid parameter \"" + a + "\"");
            }
        }
        if (zone == null) {
            throw node.error("\"" + node.name() + "\" must have \"zone\" parameter");
        }
        for (Line l : level.getOwn(LIMIT_REQ) == null ? List.<Line>of() : level.getOwn(LIMIT_REQ)) {
            if (l.zone().equals(zone)) {
                throw node.error("\"limit_req\" directive is duplicate");
            }
        }
        level.add(LIMIT_REQ, new Line(zone, burst, delay, node));
    }

    private static long positive(ConfNode node, String v, String what) throws ConfigException {
        if (v.isEmpty() || v.length() > 9 || !v.chars().allMatch(Character::isDigit) || Long.parseLong(v) == 0) {
            throw node.error("invalid " + what + " value \"" + v + "\"");
        }
        return Long.parseLong(v);
    }
}
