package dev.portico.lifecycle;

import dev.portico.config.directive.Directive;
import dev.portico.config.directive.DirectiveTable;
import dev.portico.core.CoreModule;
import dev.portico.core.Module;
import dev.portico.health.HealthModule;
import dev.portico.http.Http2Module;
import dev.portico.http.HttpModule;
import dev.portico.http.headers.HeadersModule;
import dev.portico.observability.HttpLogModule;
import dev.portico.proxy.ProxyModule;
import dev.portico.routing.ErrorPageModule;
import dev.portico.routing.MapModule;
import dev.portico.routing.RewriteModule;
import dev.portico.security.AccessModule;
import dev.portico.security.AuthBasicModule;
import dev.portico.tls.TlsModule;
import dev.portico.security.AuthRequestModule;
import dev.portico.security.GeoModule;
import dev.portico.security.LimitConnModule;
import dev.portico.security.LimitReqModule;
import dev.portico.security.RealIpModule;
import dev.portico.security.SplitClientsModule;
import dev.portico.staticfiles.StaticModule;
import dev.portico.upstream.UpstreamModule;
import java.util.ArrayList;
import java.util.List;

/**
 * The composition root's list of modules. Their order is the order in which their handlers run
 * within a phase, their response filters edit a head, and their hooks are called; adding a
 * package is one line here, adding a directive one row in its module's table.
 */
public final class ModuleList {
    private static volatile DirectiveTable table;

    private ModuleList() {
    }

    /** Every module of this build, in order. New objects each call: modules hold no shared state. */
    public static List<Module> standard() {
        return List.of(
            new CoreModule(),
            new HttpModule(),
            new Http2Module(),
            new TlsModule(),
            new RewriteModule(),
            new HttpLogModule(),
            new ErrorPageModule(),
            new MapModule(),
            new HeadersModule(),
            new StaticModule(),
            new RealIpModule(),
            new GeoModule(),
            new SplitClientsModule(),
            new LimitConnModule(),
            new LimitReqModule(),
            new AccessModule(),
            new AuthBasicModule(),
            new AuthRequestModule(),
            new UpstreamModule(),
            new ProxyModule(),
            new HealthModule());
    }

    /** The standard list with more modules after it (tests add probes this way). */
    public static List<Module> standardWith(List<? extends Module> more) {
        List<Module> all = new ArrayList<>(standard());
        all.addAll(more);
        return List.copyOf(all);
    }

    /** The directive table of the given modules; a directive declared twice fails here. */
    public static DirectiveTable table(List<? extends Module> modules) {
        List<List<Directive>> all = new ArrayList<>();
        for (Module m : modules) {
            all.add(m.directives());
        }
        return new DirectiveTable(all);
    }

    /** The table of the standard modules (for {@code -V} and the documentation check). */
    public static DirectiveTable table() {
        DirectiveTable t = table;
        if (t == null) {
            t = table(standard());
            table = t;
        }
        return t;
    }
}
