package dev.portico.http;

import dev.portico.config.ConfigException;
import dev.portico.config.directive.Level;
import dev.portico.config.directive.Settings;
import dev.portico.core.BuildContext;
import dev.portico.variables.Variables;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns what the http block's directives collected into the immutable {@link HttpConf}. */
public final class HttpCompiler {
    private HttpCompiler() {
    }

    public static HttpConf compile(HttpBlock block, BuildContext build, ContentHandler defaultContent) throws ConfigException {
        List<VirtualServer> servers = new ArrayList<>();
        for (ServerBuilder sb : block.servers) {
            servers.add(compileServer(sb, build));
        }
        RequestPipeline pipeline = build.registry(RequestPipeline.class);
        ConnectionSecurity security = pipeline == null ? null : pipeline.security(servers, build);
        return new HttpConf(List.copyOf(servers), listeners(servers), defaultContent, Variables.of(build).settableCount(),
            pipeline, security);
    }

    private static VirtualServer compileServer(ServerBuilder sb, BuildContext build) throws ConfigException {
        Settings settings = sb.level.resolve();
        LocationTree tree = compileTree(sb.locations, build);
        Map<String, Location> named = new LinkedHashMap<>();
        for (LocationBuilder lb : sb.named.values()) {
            named.put(lb.name, compileLocation(lb, build));
        }
        List<RewriteStep> steps = steps(sb.level);
        ContentHandler content = null;
        Location root = new Location(Location.Kind.SERVER_ROOT, "", null, settings, List.of(), content, tree,
            sb.node.file() + ":" + sb.node.line());
        root.handlers(phaseHandlers(settings, build, sb.node));
        List<ListenSpec> listens = sb.listens.isEmpty()
            ? List.of(ListenSpec.defaultListen(sb.node.file(), sb.node.line())) : List.copyOf(sb.listens);
        List<String> names = sb.names.isEmpty() ? List.of("") : List.copyOf(sb.names);
        return new VirtualServer(names, listens, settings, steps, tree, Map.copyOf(named), root,
            sb.node.file() + ":" + sb.node.line());
    }

    static List<RewriteStep> steps(Level level) {
        RewriteSteps rs = level.attachment(RewriteSteps.class);
        return rs == null ? List.of() : rs.list();
    }

    static LocationTree compileTree(List<LocationBuilder> builders, BuildContext build) throws ConfigException {
        if (builders.isEmpty()) {
            return LocationTree.EMPTY;
        }
        List<Location> literal = new ArrayList<>();
        List<Location> regex = new ArrayList<>();
        for (LocationBuilder lb : builders) {
            Location l = compileLocation(lb, build);
            (l.isRegex() ? regex : literal).add(l);
        }
        return new LocationTree(List.copyOf(literal), List.copyOf(regex));
    }

    /** Compiles a location, or the pseudo-location of an {@code if} block, and everything nested in it. */
    public static Location compileLocation(LocationBuilder lb, BuildContext build) throws ConfigException {
        Settings settings = lb.level.resolve();
        ContentHandlerFactory f = lb.level.getOwn(HttpModule.CONTENT);
        if (f == null && lb.kind == Location.Kind.IF) {
            // an "if" block without a content directive of its own keeps the enclosing location's
            // handler, built with the block's merged settings (as nginx merges proxy_pass into ifs)
            f = lb.level.parent().getOwn(HttpModule.CONTENT);
        }
        ContentHandler content = null;
        if (f != null) {
            try {
                content = f.create(settings, build);
            } catch (ConfigException e) {
                throw e.at(lb.node);
            }
        }
        Location l = new Location(lb.kind, lb.name, lb.regex, settings, steps(lb.level), content,
            compileTree(lb.children, build), lb.node.file() + ":" + lb.node.line(), lb.autoRedirect);
        l.handlers(phaseHandlers(settings, build, lb.node));
        return l;
    }

    /** Each module's handlers for the phases a location runs, where its directives ask for one. */
    private static PhaseHandler[][] phaseHandlers(Settings settings, BuildContext build, dev.portico.config.ConfNode node)
        throws ConfigException {
        RequestPipeline pipeline = build.registry(RequestPipeline.class);
        PhaseHandler[][] out = new PhaseHandler[Phase.values().length][];
        if (pipeline == null) {
            return out;
        }
        for (Phase phase : Phase.HANDLED) {
            List<PhaseHandler> list = new ArrayList<>();
            for (PhaseHandler.Factory f : pipeline.factories(phase)) {
                PhaseHandler h;
                try {
                    h = f.create(settings, build);
                } catch (ConfigException e) {
                    throw e.at(node);
                }
                if (h != null) {
                    list.add(h);
                }
            }
            out[phase.ordinal()] = list.toArray(new PhaseHandler[0]);
        }
        return out;
    }

    /** One address:port and what the listen directives naming it said, gathered in configuration order. */
    private static final class AddressEntry {
        ListenSpec spec;
        final List<VirtualServer> servers = new ArrayList<>();
        VirtualServer defaultServer;

        AddressEntry(ListenSpec spec) {
            this.spec = spec;
        }
    }

    /**
     * Groups the servers by address as nginx does (ngx_http_add_listen, ngx_http_optimize_servers):
     * the same address in several servers shares one socket; socket options may be given once per
     * address and default_server once; a wildcard address serves the specific addresses of its
     * port and family that have no socket options, choosing by the connection's local address.
     */
    private static Map<String, ListenerConf> listeners(List<VirtualServer> servers) throws ConfigException {
        Map<String, AddressEntry> entries = new LinkedHashMap<>();
        for (VirtualServer vs : servers) {
            for (ListenSpec l : vs.listens()) {
                AddressEntry e = entries.get(l.key());
                if (e == null) {
                    e = new AddressEntry(l);
                    entries.put(l.key(), e);
                } else {
                    if (e.servers.contains(vs)) {
                        throw new ConfigException("a duplicate listen " + l.addrText(), l.file(), l.line());
                    }
                    boolean def = e.spec.defaultServer();
                    ListenSpec merged = e.spec;
                    if (l.bind()) {
                        if (e.spec.bind()) {
                            throw new ConfigException("duplicate listen options for " + l.addrText(), l.file(), l.line());
                        }
                        merged = l;
                    }
                    e.spec = merged.withFlags(def, e.spec.ssl() || l.ssl(), e.spec.http2() || l.http2(),
                        e.spec.proxyProtocol() || l.proxyProtocol());
                }
                if (l.defaultServer()) {
                    if (e.defaultServer != null) {
                        throw new ConfigException("a duplicate default server for " + l.addrText(), l.file(), l.line());
                    }
                    e.defaultServer = vs;
                    e.spec = e.spec.withDefault(true);
                }
                if (!e.servers.contains(vs)) {
                    e.servers.add(vs);
                }
            }
        }
        Map<String, AddressConf> addresses = new LinkedHashMap<>();
        for (AddressEntry e : entries.values()) {
            VirtualServer def = e.defaultServer != null ? e.defaultServer : e.servers.get(0);
            ServerNameIndex<VirtualServer> idx = new ServerNameIndex<>(def);
            // nginx indexes names only when there is a choice to make, or regex captures to take
            if (e.servers.size() > 1 || hasCaptures(def)) {
                for (VirtualServer vs : e.servers) {
                    for (String n : vs.names()) {
                        idx.add(n, vs, e.spec.addrText());
                    }
                }
            }
            addresses.put(e.spec.key(), new AddressConf(e.spec, idx));
        }
        // sockets of their own first, wildcards last: the order nginx binds them in (ngx_http_init_listening)
        Map<String, ListenerConf> wildcards = new LinkedHashMap<>();
        for (AddressConf a : addresses.values()) {
            ListenSpec s = a.listen();
            if (s.isWildcard()) {
                Map<String, AddressConf> specific = new LinkedHashMap<>();
                for (AddressConf b : addresses.values()) {
                    if (absorbedBy(b.listen(), s)) {
                        specific.put(b.listen().host(), b);
                    }
                }
                wildcards.put(s.key(), new ListenerConf(s.key(), s, a, Map.copyOf(specific)));
            }
        }
        Map<String, ListenerConf> out = new LinkedHashMap<>();
        for (AddressConf a : addresses.values()) {
            ListenSpec s = a.listen();
            if (s.isWildcard()) {
                continue;
            }
            boolean absorbed = false;
            for (ListenerConf l : wildcards.values()) {
                absorbed |= absorbedBy(s, l.socket());
            }
            if (!absorbed) {
                out.put(s.key(), new ListenerConf(s.key(), s, a, Map.of()));
            }
        }
        out.putAll(wildcards);
        return out;
    }

    private static boolean hasCaptures(VirtualServer vs) {
        for (String n : vs.names()) {
            if (n.startsWith("~") && ServerNameIndex.compileRegex(n.substring(1)).matcher("").groupCount() > 0) {
                return true;
            }
        }
        return false;
    }

    /** A specific address without socket options is served through the wildcard socket of its port and family. */
    private static boolean absorbedBy(ListenSpec specific, ListenSpec wildcard) {
        return !specific.isWildcard() && specific.unixPath() == null && !specific.bind()
            && specific.port() == wildcard.port() && specific.isIpv6() == wildcard.isIpv6();
    }
}
