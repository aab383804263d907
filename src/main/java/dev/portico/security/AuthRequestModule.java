package dev.portico.security;

import static dev.portico.config.directive.Context.HTTP;
import static dev.portico.config.directive.Context.LOCATION;
import static dev.portico.config.directive.Context.SERVER;

import dev.portico.config.ConfigException;
import dev.portico.config.ConfNode;
import dev.portico.config.directive.Arity;
import dev.portico.config.directive.Directive;
import dev.portico.config.directive.Level;
import dev.portico.config.directive.Settings;
import dev.portico.config.directive.Slot;
import dev.portico.core.BuildContext;
import dev.portico.core.ServerState;
import dev.portico.core.Snapshot;
import dev.portico.http.Phase;
import dev.portico.http.PhaseHandler;
import dev.portico.http.PipelineModule;
import dev.portico.http.RequestPipeline;
import dev.portico.variables.Template;
import dev.portico.variables.Variables;
import java.util.EnumSet;
import java.util.List;

/**
 * ngx_http_auth_request_module: {@code auth_request uri | off} asks a subrequest whether the
 * request may pass, and {@code auth_request_set $variable value} keeps values computed in that
 * subrequest (typically {@code $upstream_http_*} from the authentication service) for the rest
 * of the request.
 */
public final class AuthRequestModule implements PipelineModule {
    /** An {@code auth_request} line: the URI (null for {@code off}) and the line's refusal counts. */
    record Line(String uri, AuthRequest.Counts counts) {
    }

    static final Slot<Line> URI = Slot.of("auth_request", null);
    static final Slot<List<AuthRequest.Assignment>> SET = Slot.of("auth_request_set", null);

    public AuthRequestModule() {
    }

    @Override
    public List<Directive> directives() {
        EnumSet<dev.portico.config.directive.Context> where = EnumSet.of(HTTP, SERVER, LOCATION);
        return List.of(
            Directive.simple("auth_request", where, Arity.TAKE1, (level, node) -> {
                String uri = node.arg(0).equals("off") ? null : node.arg(0);
                AuthRequest.Counts counts = uri == null ? null : Refusals.line(level.nearest(BuildContext.class), "auth_request", node,
                    "auth_request " + uri, AuthRequest.Counts.class, AuthRequest.Counts::new);
                level.set(URI, new Line(uri, counts), node);
            }),
            Directive.simple("auth_request_set", where, Arity.TAKE2, AuthRequestModule::set));
    }

    private static void set(Level level, ConfNode node) throws ConfigException {
        String name = node.arg(0);
        if (name.length() < 2 || name.charAt(0) != '$') {
            throw node.error("invalid variable name \"" + name + "\"");
        }
        Variables vars = Variables.of(level.nearest(BuildContext.class));
        name = name.substring(1);
        if (vars.isBuiltin(name)) {
            throw node.error("the duplicate \"" + name + "\" variable");
        }
        int index = vars.declareSettable(name);
        level.add(SET, new AuthRequest.Assignment(index, Template.compile(node.arg(1), vars)));
    }

    @Override
    public void contribute(RequestPipeline.Builder pipeline) {
        pipeline.handler(Phase.ACCESS, AuthRequestModule::handler);
    }

    private static PhaseHandler handler(Settings s, BuildContext build) {
        Line line = s.get(URI);
        if (line == null || line.uri() == null) {
            return null;
        }
        List<AuthRequest.Assignment> sets = s.get(SET);
        return new AuthRequest(line.uri(), sets == null ? List.of() : sets, line.counts());
    }

    @Override
    public void activate(Snapshot next, Snapshot previous, ServerState server) {
        Refusals.activate(next, server);
    }
}
