package dev.portico.upstream;

import static dev.portico.config.directive.Context.HTTP;
import static dev.portico.config.directive.Context.UPSTREAM;

import dev.portico.config.ConfNode;
import dev.portico.config.ConfigException;
import dev.portico.config.directive.Arity;
import dev.portico.config.directive.Context;
import dev.portico.config.directive.Directive;
import dev.portico.config.directive.Level;
import dev.portico.config.directive.Slot;
import dev.portico.config.directive.Values;
import dev.portico.core.BuildContext;
import dev.portico.core.Module;
import dev.portico.core.ServerState;
import dev.portico.variables.Variables;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

/**
 * ngx_http_upstream_module (groups, servers, the connection cache) and the core module's
 * {@code resolver}/{@code resolver_timeout}, used for names known only at request time.
 */
public final class UpstreamModule implements Module {
    public UpstreamModule() {
    }

    public static final Slot<ResolverConf> RESOLVER = Slot.of("resolver", null);
    public static final Slot<Long> RESOLVER_TIMEOUT = Slot.of("resolver_timeout", 30_000L);

    @Override
    public void afterBuild(BuildContext build) throws ConfigException {
        Upstreams u = build.registry(Upstreams.class);
        if (u != null) {
            u.compileAll();
        }
    }

    @Override
    public void activate(dev.portico.core.Snapshot next, dev.portico.core.Snapshot previous, ServerState server) {
        Upstreams u = next.build().registry(Upstreams.class);
        resolvers(server).switchTo(u == null ? List.of() : u.resolvingGroups());
    }

    @Override
    public void stopped(ServerState server) {
        resolvers(server).stop();
    }

    private static PeerResolver.Running resolvers(ServerState server) {
        return server.part(PeerResolver.Running.class, PeerResolver.Running::new);
    }

    /** The groups of the configuration being built. */
    public static Upstreams upstreams(BuildContext build) {
        return build.registry(Upstreams.class, () -> new Upstreams(PeerStates.of(build.server())));
    }

    @Override
    public List<Directive> directives() {
        return List.of(
            new Directive("upstream", EnumSet.of(HTTP), Arity.TAKE1, true, (level, node, d) -> {
                UpstreamBlock b = new UpstreamBlock(node.arg(0), node);
                b.httpLevel = level;
                upstreams(level.nearest(BuildContext.class)).add(b, node);
                d.apply(new Level(UPSTREAM, level, node, b), node.children());
                if (b.servers.isEmpty()) {
                    throw node.error("no servers are inside upstream");
                }
            }),
            Directive.simple("server", EnumSet.of(UPSTREAM), Arity.ONE_OR_MORE, UpstreamModule::server),
            Directive.simple("keepalive", EnumSet.of(UPSTREAM), Arity.TAKE12, (level, node) -> {
                UpstreamBlock b = level.owner(UpstreamBlock.class);
                if (b.keepalive != null) {
                    throw node.error("\"keepalive\" directive is duplicate");
                }
                int n;
                try {
                    n = Integer.parseInt(node.arg(0));
                    if (n < 0) {
                        throw new NumberFormatException();
                    }
                } catch (NumberFormatException e) {
                    throw node.error("invalid value \"" + node.arg(0) + "\" in \"keepalive\" directive");
                }
                if (node.argCount() == 2) {
                    if (!node.arg(1).equals("local")) {
                        throw node.error("invalid parameter \"" + node.arg(1) + "\"");
                    }
                    b.keepaliveLocal = true;
                }
                b.keepalive = n;
            }),
            Directive.simple("least_conn", EnumSet.of(UPSTREAM), Arity.NONE,
                (level, node) -> method(level, node, "least_conn", LeastConnBalancer::new)),
            Directive.simple("ip_hash", EnumSet.of(UPSTREAM), Arity.NONE,
                (level, node) -> method(level, node, "ip_hash", IpHashBalancer::new)),
            Directive.simple("hash", EnumSet.of(UPSTREAM), Arity.TAKE12, UpstreamModule::hash),
            Directive.simple("random", EnumSet.of(UPSTREAM), new Arity(0, 2), UpstreamModule::random),
            // the state is shared by every event loop anyway: the zone only needs to be well formed
            Directive.simple("zone", EnumSet.of(UPSTREAM), Arity.TAKE12, (level, node) -> {
                if (node.argCount() == 2 && Values.size(node, node.arg(1)) < 0) {
                    throw node.error("invalid zone size \"" + node.arg(1) + "\"");
                }
            }),
            Directive.simple("keepalive_requests", EnumSet.of(UPSTREAM), Arity.TAKE1, (level, node) -> {
                UpstreamBlock b = level.owner(UpstreamBlock.class);
                duplicate(b.keepaliveRequests, node);
                b.keepaliveRequests = Values.number(node, node.arg(0));
            }),
            Directive.simple("keepalive_time", EnumSet.of(UPSTREAM), Arity.TAKE1, (level, node) -> {
                UpstreamBlock b = level.owner(UpstreamBlock.class);
                duplicate(b.keepaliveTime, node);
                b.keepaliveTime = Values.timeMillis(node, node.arg(0));
            }),
            Directive.simple("keepalive_timeout", EnumSet.of(UPSTREAM), Arity.TAKE1, (level, node) -> {
                UpstreamBlock b = level.owner(UpstreamBlock.class);
                duplicate(b.keepaliveTimeout, node);
                b.keepaliveTimeout = Values.timeMillis(node, node.arg(0));
            }),
            Directive.simple("resolver", Context.HTTP_SRV_LOC, Arity.ONE_OR_MORE,
                (level, node) -> level.set(RESOLVER, resolver(node), node)),
            Directive.value("resolver_timeout", Context.HTTP_SRV_LOC, RESOLVER_TIMEOUT, Values::timeMillis));
    }

    /** A method directive: nginx warns when one replaces another, and refuses "backup" with methods that cannot use it. */
    private static void method(Level level, ConfNode node, String name, Balancer.Factory factory) throws ConfigException {
        UpstreamBlock b = level.owner(UpstreamBlock.class);
        if (b.method != null) {
            dev.portico.observability.ErrorLog.warn("load balancing method redefined in " + node.file() + ":" + node.line());
        }
        if (!name.equals("least_conn")) {
            for (UpstreamBlock.ServerLine s : b.servers) {
                if (s.backup()) {
                    throw s.node().error("balancing method does not support parameter \"backup\"");
                }
                if (s.slowStartMillis() > 0) {
                    throw s.node().error("balancing method does not support parameter \"slow_start\"");
                }
            }
        }
        b.method = factory;
        b.methodName = name;
    }

    private static void hash(Level level, ConfNode node) throws ConfigException {
        UpstreamBlock b = level.owner(UpstreamBlock.class);
        boolean consistent = false;
        if (node.argCount() == 2) {
            if (!node.arg(1).equals("consistent")) {
                throw node.error("invalid parameter \"" + node.arg(1) + "\"");
            }
            consistent = true;
        }
        b.hashKey = dev.portico.variables.Template.compile(node.arg(0), Variables.of(level.nearest(BuildContext.class)));
        method(level, node, "hash", consistent ? ConsistentHashBalancer::new : HashBalancer::new);
    }

    private static void random(Level level, ConfNode node) throws ConfigException {
        boolean two = false;
        if (node.argCount() >= 1) {
            if (!node.arg(0).equals("two")) {
                throw node.error("invalid parameter \"" + node.arg(0) + "\"");
            }
            two = true;
            if (node.argCount() == 2 && !node.arg(1).equals("least_conn")) {
                throw node.error("invalid parameter \"" + node.arg(1) + "\"");
            }
        }
        boolean pickTwo = two;
        method(level, node, "random", g -> new RandomBalancer(g, pickTwo));
    }

    private static void duplicate(Object current, ConfNode node) throws ConfigException {
        if (current != null) {
            throw node.error("\"" + node.name() + "\" directive is duplicate");
        }
    }

    /** {@code server address [weight=N] [max_fails=N] [fail_timeout=T] [backup] [down] [max_conns=N]}. */
    private static void server(Level level, ConfNode node) throws ConfigException {
        UpstreamBlock b = level.owner(UpstreamBlock.class);
        int weight = 1;
        int maxFails = 1;
        long failTimeout = 10_000L;
        int maxConns = 0;
        boolean backup = false;
        boolean down = false;
        long slowStart = 0;
        boolean resolve = false;
        for (int i = 1; i < node.argCount(); i++) {
            String p = node.arg(i);
            int v;
            if (p.startsWith("weight=")) {
                v = num(p, 7);
                if (v <= 0) {
                    throw invalid(node, p);
                }
                weight = v;
            } else if (p.startsWith("max_fails=")) {
                v = num(p, 10);
                if (v < 0) {
                    throw invalid(node, p);
                }
                maxFails = v;
            } else if (p.startsWith("max_conns=")) {
                v = num(p, 10);
                if (v < 0) {
                    throw invalid(node, p);
                }
                maxConns = v;
            } else if (p.startsWith("fail_timeout=")) {
                long t = Values.parseTime(p.substring(13), false);
                if (t < 0) {
                    throw invalid(node, p);
                }
                failTimeout = t * 1000;
            } else if (p.startsWith("slow_start=")) {
                // NGINX Plus: not with the hash, ip_hash and random methods
                if (b.methodName != null && !b.methodName.equals("least_conn")) {
                    throw node.error("balancing method does not support parameter \"" + p + "\"");
                }
                long t = Values.parseTime(p.substring(11), true);
                if (t < 0) {
                    throw invalid(node, p);
                }
                slowStart = t;
            } else if (p.equals("resolve")) {
                resolve = true;
            } else if (p.equals("backup")) {
                if (b.methodName != null && !b.methodName.equals("least_conn")) {
                    throw node.error("balancing method does not support parameter \"" + p + "\"");
                }
                backup = true;
            } else if (p.equals("down")) {
                down = true;
            } else {
                throw invalid(node, p);
            }
        }
        ServerAddress addr;
        try {
            addr = ServerAddress.parse(node.arg(0), 80);
        } catch (ServerAddress.Invalid e) {
            throw node.error(e.getMessage() + " in upstream \"" + node.arg(0) + "\"");
        }
        b.servers.add(new UpstreamBlock.ServerLine(addr, weight, maxFails, failTimeout, maxConns, backup, down, slowStart, resolve, node));
    }

    private static int num(String p, int from) {
        String v = p.substring(from);
        if (v.isEmpty() || v.length() > 9 || !v.chars().allMatch(Character::isDigit)) {
            return -1;
        }
        return Integer.parseInt(v);
    }

    private static ConfigException invalid(ConfNode node, String p) {
        return node.error("invalid parameter \"" + p + "\"");
    }

    private static ResolverConf resolver(ConfNode node) throws ConfigException {
        List<InetSocketAddress> servers = new ArrayList<>();
        long valid = -1;
        boolean ipv4 = true;
        boolean ipv6 = true;
        for (String a : node.args()) {
            if (a.startsWith("valid=")) {
                valid = Values.parseTime(a.substring(6), false);
                if (valid < 0) {
                    throw invalid(node, a);
                }
                valid *= 1000;
            } else if (a.startsWith("ipv4=")) {
                ipv4 = onOff(node, a, a.substring(5));
            } else if (a.startsWith("ipv6=")) {
                ipv6 = onOff(node, a, a.substring(5));
            } else if (a.startsWith("status_zone=")) {
                // NGINX Plus statistics zone: accepted, nothing to count into
            } else {
                ServerAddress sa;
                try {
                    sa = ServerAddress.parse(a, 53);
                } catch (ServerAddress.Invalid e) {
                    throw node.error(e.getMessage() + " in resolver \"" + a + "\"");
                }
                if (sa.isUnix()) {
                    throw node.error("invalid host in resolver \"" + a + "\"");
                }
                try {
                    for (InetAddress ia : InetAddress.getAllByName(sa.host())) {
                        servers.add(new InetSocketAddress(ia, sa.port()));
                    }
                } catch (UnknownHostException e) {
                    throw node.error("host not found in resolver \"" + a + "\"");
                }
            }
        }
        if (!ipv4 && !ipv6) {
            throw node.error("\"ipv4\" and \"ipv6\" cannot both be \"off\"");
        }
        if (servers.isEmpty()) {
            throw node.error("invalid number of arguments in \"resolver\" directive");
        }
        return new ResolverConf(List.copyOf(servers), valid, ipv4, ipv6);
    }

    private static boolean onOff(ConfNode node, String param, String v) throws ConfigException {
        if (v.equals("on")) {
            return true;
        }
        if (v.equals("off")) {
            return false;
        }
        throw invalid(node, param);
    }
}
