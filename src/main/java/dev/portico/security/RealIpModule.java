package dev.portico.security;

import static dev.portico.config.directive.Context.HTTP;
import static dev.portico.config.directive.Context.LOCATION;
import static dev.portico.config.directive.Context.SERVER;

import dev.portico.config.directive.Arity;
import dev.portico.config.directive.Directive;
import dev.portico.config.directive.Settings;
import dev.portico.config.directive.Slot;
import dev.portico.core.BuildContext;
import dev.portico.http.ListenSpec;
import dev.portico.http.Phase;
import dev.portico.http.PhaseHandler;
import dev.portico.http.PipelineModule;
import dev.portico.http.RequestPipeline;
import java.net.InetSocketAddress;
import java.util.EnumSet;
import java.util.List;

/**
 * ngx_http_realip_module: {@code set_real_ip_from}, {@code real_ip_header},
 * {@code real_ip_recursive}, and {@code $realip_remote_addr}/{@code $realip_remote_port}.
 * Everything that reads the client address afterwards (allow/deny, limits, {@code ip_hash},
 * logs, {@code $proxy_add_x_forwarded_for}) sees the real one.
 */
public final class RealIpModule implements PipelineModule {
    static final Slot<List<AccessRule>> FROM = Slot.of("set_real_ip_from", null);
    static final Slot<String> HEADER = Slot.of("real_ip_header", "X-Real-IP");
    static final Slot<Boolean> RECURSIVE = Slot.of("real_ip_recursive", false);

    public RealIpModule() {
    }

    @Override
    public List<Directive> directives() {
        EnumSet<dev.portico.config.directive.Context> hsl = EnumSet.of(HTTP, SERVER, LOCATION);
        return List.of(
            Directive.simple("set_real_ip_from", hsl, Arity.TAKE1, (level, node) -> level.add(FROM, AccessRule.parse(node, false))),
            Directive.simple("real_ip_header", hsl, Arity.TAKE1, (level, node) -> {
                level.set(HEADER, node.arg(0), node);
            }),
            Directive.flag("real_ip_recursive", hsl, RECURSIVE));
    }

    @Override
    public void contribute(RequestPipeline.Builder pipeline) {
        pipeline.handler(Phase.POST_READ, RealIpModule::handler);
        pipeline.handler(Phase.PREACCESS, RealIpModule::handler);
        pipeline.variables()
            .builtin("realip_remote_addr", ex -> {
                RealIp.Original o = ex.attachment(RealIp.Original.class);
                return o != null && o.address() instanceof InetSocketAddress a ? ListenSpec.text(a.getAddress())
                    : ex.connection().remoteHost();
            })
            .builtin("realip_remote_port", ex -> {
                RealIp.Original o = ex.attachment(RealIp.Original.class);
                int port = o != null && o.address() instanceof InetSocketAddress a ? a.getPort() : ex.connection().remotePort();
                return port == 0 ? "" : Integer.toString(port);
            });
    }

    private static PhaseHandler handler(Settings s, BuildContext build) {
        List<AccessRule> from = s.get(FROM);
        return from == null || from.isEmpty() ? null : new RealIp(from, s.get(HEADER), s.get(RECURSIVE));
    }
}
