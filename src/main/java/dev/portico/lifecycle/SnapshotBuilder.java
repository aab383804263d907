package dev.portico.lifecycle;

import dev.portico.config.ConfNode;
import dev.portico.config.ConfigException;
import dev.portico.config.ConfigParser;
import dev.portico.config.directive.Context;
import dev.portico.config.directive.Dispatcher;
import dev.portico.config.directive.Level;
import dev.portico.core.BuildContext;
import dev.portico.core.CoreModule;
import dev.portico.core.Module;
import dev.portico.core.Prefix;
import dev.portico.core.ServerState;
import dev.portico.core.Snapshot;
import dev.portico.core.SnapshotUsage;
import dev.portico.http.HttpBlock;
import dev.portico.http.HttpCompiler;
import dev.portico.http.HttpConf;
import dev.portico.http.HttpModule;
import dev.portico.http.RequestPipeline;
import dev.portico.staticfiles.StaticContent;
import dev.portico.variables.Variables;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a configuration file (plus {@code -g} directives) into a {@link Snapshot} with a list of
 * modules and the state of the server it is for. Changes nothing that runs: zones it declares
 * take effect only when the snapshot goes live.
 */
public final class SnapshotBuilder {
    private SnapshotBuilder() {
    }

    /** The standard modules, for a configuration that will not serve ({@code -t}, {@code -s}) or a server about to start. */
    public static Snapshot build(Prefix prefix, String globalDirectives) throws ConfigException {
        return build(prefix, globalDirectives, ModuleList.standard(), ServerState.fresh());
    }

    public static Snapshot build(Prefix prefix, String globalDirectives, List<Module> modules, ServerState server)
        throws ConfigException {
        ConfigParser parser = new ConfigParser(prefix.confDir());
        // nginx reads -g directives before the file (so the file's copy is the duplicate)
        List<ConfNode> nodes = new ArrayList<>();
        if (globalDirectives != null && !globalDirectives.isBlank()) {
            nodes.addAll(parser.parseCommandLine(globalDirectives));
        }
        nodes.addAll(parser.read(prefix.confFile()));
        RequestPipeline pipeline = RequestPipeline.of(modules);
        BuildContext build = new BuildContext(prefix, server);
        build.registry(Variables.class, () -> new Variables(pipeline.variables()));
        build.registry(RequestPipeline.class, () -> pipeline);
        declareVariables(nodes, build);
        Level main = new Level(Context.MAIN, null, null, build);
        Dispatcher d = new Dispatcher(ModuleList.table(modules));
        d.apply(main, nodes);
        if (parser.syntaxError() != null) {
            // a block a package reads itself (types, map) may hold the marker the dispatcher never met
            throw parser.syntaxError();
        }
        Variables.of(build).checkDefined();
        HttpBlock http = main.getOwn(HttpModule.HTTP_BLOCK);
        HttpConf httpConf;
        if (http != null) {
            httpConf = HttpCompiler.compile(http, build, StaticContent.handler());
        } else {
            httpConf = new HttpConf(List.of(), java.util.Map.of(), null, 0, pipeline, null);
        }
        HttpConf compiled = httpConf;
        build.registry(HttpConf.class, () -> compiled);
        for (Module m : modules) {
            m.afterBuild(build);
        }
        eventsChecks(main, compiled);
        return new Snapshot(prefix, main.resolve(), List.copyOf(parser.sources()), build, new SnapshotUsage(), modules);
    }

    /** nginx's ngx_event_init_conf, run once the syntax is ok. */
    private static void eventsChecks(Level main, HttpConf http) throws ConfigException {
        if (main.getOwn(CoreModule.EVENTS_SEEN) == null) {
            throw ConfigException.afterSyntax("no \"events\" section in configuration");
        }
        Integer connections = main.getOwn(CoreModule.WORKER_CONNECTIONS);
        int n = connections != null ? connections : CoreModule.WORKER_CONNECTIONS.defaultValue();
        int sockets = http.listeners().size();
        // a connection for each listening socket, plus one (nginx's channel to its master)
        if (n < sockets + 1) {
            throw ConfigException.afterSyntax(n + " worker_connections are not enough for " + sockets + " listening sockets");
        }
    }

    private static void declareCaptures(String word, BuildContext build) {
        for (String name : dev.portico.http.RegexSupport.namedGroupsIn(word)) {
            Variables.of(build).declareCapture(name);
        }
    }

    /**
     * nginx knows every variable of the configuration before it resolves any reference, so a
     * template may name a variable that a later {@code set} or {@code map} defines.
     */
    private static void declareVariables(List<ConfNode> nodes, BuildContext build) {
        for (ConfNode n : nodes) {
            // named regex captures (location, server_name, rewrite, if, map) are variables too
            declareCaptures(n.name(), build);
            for (String a : n.args()) {
                declareCaptures(a, build);
            }
            if (n.isBlock() && n.name().equals("map")) {
                for (ConfNode entry : n.children()) {
                    declareCaptures(entry.name(), build);
                }
            }
            if (n.name().equals("set") && n.argCount() >= 1 && n.arg(0).startsWith("$")) {
                Variables.of(build).declareSettable(n.arg(0).substring(1));
            }
            if (n.isBlock() && (n.name().equals("map") || n.name().equals("geo") || n.name().equals("split_clients"))
                && n.argCount() >= 2 && n.arg(n.argCount() - 1).startsWith("$")) {
                Variables.of(build).announce(n.arg(n.argCount() - 1).substring(1));
            }
            if (n.isBlock() && !n.name().equals("map") && !n.name().equals("types")) {
                declareVariables(n.children(), build);
            }
        }
    }
}
