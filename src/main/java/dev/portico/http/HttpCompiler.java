package dev.portico.http;

import dev.portico.config.ConfigException;
import dev.portico.config.directive.Level;
import dev.portico.config.directive.Settings;
import dev.portico.core.BuildContext;
import dev.portico.routing.ServerNameIndex;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns what the http block's directives collected into the immutable {@link HttpConf}. */
public final class HttpCompiler {
    private static final ListenSpec DEFAULT_LISTEN =
        new ListenSpec(null, 80, null, false, 511, false, null, false, false, false, false, "*:80");

    private HttpCompiler() {
    }

    public static HttpConf compile(HttpBlock block, BuildContext build, ContentHandler defaultContent) throws ConfigException {
        List<VirtualServer> servers = new ArrayList<>();
        for (ServerBuilder sb : block.servers) {
            servers.add(compileServer(sb, build));
        }
        return new HttpConf(List.copyOf(servers), listeners(servers), defaultContent, build.variables().settableCount());
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
        List<ListenSpec> listens = sb.listens.isEmpty() ? List.of(DEFAULT_LISTEN) : List.copyOf(sb.listens);
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
                throw e.file() == null ? lb.node.error(e.bareMessage()) : e;
            }
        }
        return new Location(lb.kind, lb.name, lb.regex, settings, steps(lb.level), content,
            compileTree(lb.children, build), lb.node.file() + ":" + lb.node.line());
    }

    /** Groups the servers by socket as nginx does: a wildcard on a port absorbs the specific addresses without "bind". */
    private static Map<String, ListenerConf> listeners(List<VirtualServer> servers) throws ConfigException {
        // key -> (spec, servers in order)
        Map<String, ListenSpec> specs = new LinkedHashMap<>();
        Map<String, List<VirtualServer>> byKey = new LinkedHashMap<>();
        Map<String, VirtualServer> defaults = new LinkedHashMap<>();
        for (VirtualServer vs : servers) {
            for (ListenSpec l : vs.listens()) {
                String key = l.key();
                ListenSpec prev = specs.get(key);
                if (prev == null || (l.bind() && !prev.bind())) {
                    specs.put(key, prev == null ? l : merge(l, prev));
                }
                List<VirtualServer> list = byKey.computeIfAbsent(key, k -> new ArrayList<>());
                if (!list.contains(vs)) {
                    list.add(vs);
                }
                if (l.defaultServer()) {
                    if (defaults.containsKey(key) && defaults.get(key) != vs) {
                        throw new ConfigException("a duplicate default server for " + key, null, 0);
                    }
                    defaults.put(key, vs);
                }
            }
        }
        Map<String, AddressConf> addresses = new LinkedHashMap<>();
        for (Map.Entry<String, List<VirtualServer>> e : byKey.entrySet()) {
            String key = e.getKey();
            VirtualServer def = defaults.getOrDefault(key, e.getValue().get(0));
            ServerNameIndex<VirtualServer> idx = new ServerNameIndex<>(def);
            for (VirtualServer vs : e.getValue()) {
                for (String n : vs.names()) {
                    idx.add(n, vs);
                }
            }
            addresses.put(key, new AddressConf(specs.get(key), idx));
        }
        Map<String, ListenerConf> out = new LinkedHashMap<>();
        // wildcard sockets first, then specific ones that must bind their own socket
        for (AddressConf a : addresses.values()) {
            ListenSpec s = a.listen();
            if (s.isWildcard()) {
                Map<String, AddressConf> specific = new LinkedHashMap<>();
                for (AddressConf b : addresses.values()) {
                    ListenSpec t = b.listen();
                    if (!t.isWildcard() && t.unixPath() == null && t.port() == s.port() && !t.bind()) {
                        specific.put(t.host(), b);
                    }
                }
                out.put(s.key(), new ListenerConf(s.key(), s, a, Map.copyOf(specific)));
            }
        }
        for (AddressConf a : addresses.values()) {
            ListenSpec s = a.listen();
            if (s.isWildcard()) {
                continue;
            }
            boolean absorbed = s.unixPath() == null && !s.bind()
                && out.values().stream().anyMatch(l -> l.socket().isWildcard() && l.socket().port() == s.port());
            if (!absorbed) {
                out.put(s.key(), new ListenerConf(s.key(), s, null, Map.of(s.host() == null ? "" : String.valueOf(s.host()), a)));
            }
        }
        return out;
    }

    private static ListenSpec merge(ListenSpec withOptions, ListenSpec first) {
        return new ListenSpec(first.host(), first.port(), first.unixPath(), first.defaultServer() || withOptions.defaultServer(),
            withOptions.backlog(), withOptions.reusePort(), withOptions.ipv6only(), first.ssl() || withOptions.ssl(),
            first.http2() || withOptions.http2(), first.proxyProtocol() || withOptions.proxyProtocol(), true, first.text());
    }
}
