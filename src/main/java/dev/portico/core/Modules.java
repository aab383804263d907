package dev.portico.core;

import dev.portico.config.directive.Directive;
import dev.portico.config.directive.DirectiveTable;
import dev.portico.http.HttpModule;
import dev.portico.http.headers.HeadersModule;
import dev.portico.observability.HttpLogModule;
import dev.portico.proxy.ProxyModule;
import dev.portico.routing.ErrorPageModule;
import dev.portico.routing.MapModule;
import dev.portico.routing.RewriteModule;
import dev.portico.staticfiles.StaticModule;
import dev.portico.upstream.UpstreamModule;
import dev.portico.variables.CoreVariables;
import java.util.List;

/**
 * Every feature package's directive table, in one list. Adding a package is one line here;
 * adding a directive is one row in its package's table.
 */
public final class Modules {
    private Modules() {
    }

    static {
        CoreVariables.register();
    }

    private static final List<List<Directive>> ALL = List.of(
        CoreModule.directives(),
        HttpModule.directives(),
        RewriteModule.directives(),
        HttpLogModule.directives(),
        ErrorPageModule.directives(),
        MapModule.directives(),
        HeadersModule.directives(),
        StaticModule.directives(),
        UpstreamModule.directives(),
        ProxyModule.directives(),
        dev.portico.health.HealthModule.directives()
    );

    private static volatile DirectiveTable table;

    public static DirectiveTable table() {
        if (table == null) {
            synchronized (Modules.class) {
                if (table == null) {
                    table = new DirectiveTable(ALL);
                }
            }
        }
        return table;
    }
}
