package dev.portico.health;

import static dev.portico.config.directive.Context.HTTP;
import static dev.portico.config.directive.Context.LOCATION;

import dev.portico.config.ConfNode;
import dev.portico.config.directive.Arity;
import dev.portico.config.directive.Directive;
import dev.portico.config.directive.Level;
import dev.portico.core.BuildContext;
import dev.portico.core.Module;
import dev.portico.core.ServerState;
import dev.portico.core.Snapshot;
import dev.portico.proxy.ProxyModule;
import dev.portico.upstream.UpstreamGroup;
import dev.portico.upstream.UpstreamModule;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * Active health checks in NGINX Plus syntax: {@code health_check} in a location that proxies to
 * an {@code upstream} group and {@code match} blocks in http. The checks run on a small shared
 * pool of checker threads, one schedule per group and check line, started when a configuration
 * goes live and stopped when the next one replaces it; servers' health is kept by name.
 */
public final class HealthModule implements Module {

    public HealthModule() {
    }

    @Override
    public void afterBuild(BuildContext build) throws dev.portico.config.ConfigException {
        resolve(build);
    }

    @Override
    public void activate(Snapshot next, Snapshot previous, ServerState server) {
        HealthPlan plan = next.build().registry(HealthPlan.class);
        checks(server).switchTo(plan == null ? List.of() : plan.checkers);
    }

    @Override
    public void stopped(ServerState server) {
        checks(server).stop();
    }

    private static Running checks(ServerState server) {
        return server.part(Running.class, Running::new);
    }

    /** The checks of one server: those of the configuration in force, on a small pool of its own. */
    static final class Running {
        private ScheduledExecutorService pool;
        private List<GroupChecker> running = List.of();
        /** Consecutive results per group and peer name, kept across reloads. */
        final java.util.Map<String, int[]> streaks = new java.util.concurrent.ConcurrentHashMap<>();

        synchronized void stop() {
            switchTo(List.of());
            if (pool != null) {
                pool.shutdownNow();
                pool = null;
            }
        }

        synchronized void switchTo(List<GroupChecker> next) {
            java.util.Set<String> stillChecked = new java.util.HashSet<>();
            for (GroupChecker c : next) {
                stillChecked.add(c.groupName());
            }
            for (GroupChecker c : running) {
                c.stop();
                if (!stillChecked.contains(c.groupName())) {
                    // health_check removed: its verdicts no longer keep servers out
                    c.releasePeers();
                }
            }
            running = List.copyOf(next);
            if (running.isEmpty()) {
                return;
            }
            if (pool == null) {
                ScheduledThreadPoolExecutor p = new ScheduledThreadPoolExecutor(2, r -> {
                    Thread t = new Thread(r, "portico-health-check");
                    t.setDaemon(true);
                    return t;
                });
                p.setRemoveOnCancelPolicy(true);
                pool = p;
            }
            for (GroupChecker c : running) {
                c.start(pool, streaks);
            }
        }
    }

    private static HealthPlan plan(Level level) {
        return level.nearest(BuildContext.class).registry(HealthPlan.class, HealthPlan::new);
    }

    @Override
    public List<Directive> directives() {
        return List.of(
            new Directive("match", EnumSet.of(HTTP), Arity.TAKE1, true, (level, node, d) -> {
                HealthPlan plan = plan(level);
                if (plan.matches.containsKey(node.arg(0))) {
                    throw node.error("duplicate match \"" + node.arg(0) + "\"");
                }
                plan.matches.put(node.arg(0), Match.parse(node));
            }),
            Directive.simple("health_check", EnumSet.of(LOCATION), Arity.ANY, (level, node) -> {
                CheckSpec spec = CheckSpec.parse(node);
                plan(level).pending.add(new Object[] {level, spec});
            }));
    }

    /** After all directives: each health_check needs its location's upstream group and its match block. */
    private static void resolve(BuildContext build) throws dev.portico.config.ConfigException {
        HealthPlan plan = build.registry(HealthPlan.class);
        if (plan == null) {
            return;
        }
        for (Object[] o : new ArrayList<>(plan.pending)) {
            Level level = (Level) o[0];
            CheckSpec spec = (CheckSpec) o[1];
            ConfNode node = spec.node();
            String name = ProxyModule.upstreamOf(level);
            UpstreamGroup g = name == null ? null : UpstreamModule.upstreams(build).block(name);
            if (g == null) {
                throw node.error("health check requires an upstream group in \"proxy_pass\"");
            }
            Match m = Match.DEFAULT;
            if (spec.matchName() != null) {
                m = plan.matches.get(spec.matchName());
                if (m == null) {
                    throw node.error("match \"" + spec.matchName() + "\" not found");
                }
            }
            ProxyModule.ProbeTls tls;
            try {
                tls = ProxyModule.probeTls(level, build);
            } catch (dev.portico.config.ConfigException e) {
                throw e.at(node);
            }
            plan.add(g, spec, m, tls);
        }
        plan.pending.clear();
    }
}
