package dev.portico.security;

import static dev.portico.config.directive.Context.HTTP;
import static dev.portico.config.directive.Context.LIMIT_EXCEPT;
import static dev.portico.config.directive.Context.LOCATION;
import static dev.portico.config.directive.Context.SERVER;

import dev.portico.config.ConfNode;
import dev.portico.config.ConfigException;
import dev.portico.config.directive.Arity;
import dev.portico.config.directive.Directive;
import dev.portico.config.directive.Level;
import dev.portico.config.directive.Slot;
import dev.portico.core.BuildContext;
import dev.portico.core.ServerState;
import dev.portico.core.Snapshot;
import dev.portico.http.Phase;
import dev.portico.http.PipelineModule;
import dev.portico.http.RequestPipeline;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * ngx_http_access_module: {@code allow} and {@code deny}, evaluated in order in the access phase.
 * A level with lines of its own uses only those; one without inherits its parent's list whole, as
 * nginx merges them. Locations without any line get no handler at all. Each line counts the
 * requests it refused ({@link Refusals}).
 */
public final class AccessModule implements PipelineModule {
    /** One line: the rule and its refusal counter (shared by every location that inherits it). */
    record Line(AccessRule rule, LongAdder denied) {
    }

    static final Slot<List<Line>> RULES = Slot.of("allow/deny", null);

    public AccessModule() {
    }

    @Override
    public List<Directive> directives() {
        EnumSet<dev.portico.config.directive.Context> where = EnumSet.of(HTTP, SERVER, LOCATION, LIMIT_EXCEPT);
        return List.of(
            Directive.simple("allow", where, Arity.TAKE1, (level, node) -> line(level, node, false)),
            Directive.simple("deny", where, Arity.TAKE1, (level, node) -> line(level, node, true)));
    }

    private static void line(Level level, ConfNode node, boolean deny) throws ConfigException {
        AccessRule rule = AccessRule.parse(node, deny);
        BuildContext build = level.nearest(BuildContext.class);
        // the same line read twice (an included file) is one counter; a reload keeps it where it stands
        Refusals.Single denied = Refusals.line(build, "access", node, node.name() + " " + node.arg(0), Refusals.Single.class,
            () -> new Refusals.Single("access", "denied"));
        level.add(RULES, new Line(rule, denied.value));
    }

    @Override
    public void contribute(RequestPipeline.Builder pipeline) {
        pipeline.handler(Phase.ACCESS, (settings, build) -> {
            List<Line> lines = settings.get(RULES);
            if (lines == null || lines.isEmpty()) {
                return null;
            }
            AccessRule[] rules = new AccessRule[lines.size()];
            LongAdder[] denials = new LongAdder[lines.size()];
            for (int i = 0; i < rules.length; i++) {
                rules[i] = lines.get(i).rule();
                denials[i] = lines.get(i).denied();
            }
            return new AccessCheck(rules, denials);
        });
    }

    @Override
    public void activate(Snapshot next, Snapshot previous, ServerState server) {
        Refusals.activate(next, server);
    }
}
