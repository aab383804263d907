package dev.portico.security;

import static dev.portico.config.directive.Context.HTTP;
import static dev.portico.config.directive.Context.LIMIT_EXCEPT;
import static dev.portico.config.directive.Context.LOCATION;
import static dev.portico.config.directive.Context.SERVER;

import dev.portico.config.directive.Arity;
import dev.portico.config.directive.Directive;
import dev.portico.config.directive.Slot;
import dev.portico.http.Phase;
import dev.portico.http.PipelineModule;
import dev.portico.http.RequestPipeline;
import java.util.EnumSet;
import java.util.List;

/**
 * ngx_http_access_module: {@code allow} and {@code deny}, evaluated in order in the access phase.
 * A level with lines of its own uses only those; one without inherits its parent's list whole, as
 * nginx merges them. Locations without any line get no handler at all.
 */
public final class AccessModule implements PipelineModule {
    static final Slot<List<AccessRule>> RULES = Slot.of("allow/deny", null);

    public AccessModule() {
    }

    @Override
    public List<Directive> directives() {
        EnumSet<dev.portico.config.directive.Context> where = EnumSet.of(HTTP, SERVER, LOCATION, LIMIT_EXCEPT);
        return List.of(
            Directive.simple("allow", where, Arity.TAKE1, (level, node) -> level.add(RULES, AccessRule.parse(node, false))),
            Directive.simple("deny", where, Arity.TAKE1, (level, node) -> level.add(RULES, AccessRule.parse(node, true))));
    }

    @Override
    public void contribute(RequestPipeline.Builder pipeline) {
        pipeline.handler(Phase.ACCESS, (settings, build) -> {
            List<AccessRule> rules = settings.get(RULES);
            return rules == null || rules.isEmpty() ? null : new AccessCheck(rules.toArray(new AccessRule[0]));
        });
    }
}
