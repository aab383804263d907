package dev.portico.upstream;

import dev.portico.observability.ErrorLog;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.resolver.ResolvedAddressTypes;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.SequentialDnsServerAddressStreamProvider;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code server name resolve} (nginx 1.27.3+): the names are looked up with the configured
 * {@code resolver} while running, on one event loop of its own, and the group gets new peers
 * when the answer changes, without a reload. The resolver caches answers for their TTL (or
 * {@code valid=}); the names are asked for every second, so a change is seen when the cached
 * answer expires. Failure state of a server that stays is kept (by peer name).
 */
final class PeerResolver {
    private static final long POLL_MILLIS = 1000;

    private final UpstreamGroup group;
    private final DnsNameResolver dns;
    private final EventLoop loop;
    private ScheduledFuture<?> task;
    private volatile boolean stopped;

    private PeerResolver(UpstreamGroup group, EventLoop loop) {
        this.group = group;
        this.loop = loop;
        ResolverConf conf = group.resolver;
        ResolvedAddressTypes types = conf.ipv4() && conf.ipv6() ? ResolvedAddressTypes.IPV4_PREFERRED
            : conf.ipv4() ? ResolvedAddressTypes.IPV4_ONLY : ResolvedAddressTypes.IPV6_ONLY;
        DnsNameResolverBuilder b = new DnsNameResolverBuilder(loop)
            .datagramChannelType(NioDatagramChannel.class)
            .nameServerProvider(new SequentialDnsServerAddressStreamProvider(conf.servers()))
            .queryTimeoutMillis(group.resolverTimeout)
            .resolvedAddressTypes(types)
            .hostsFileEntriesResolver((name, t) -> null)
            .searchDomains(List.of())
            .ndots(1)
            .negativeTtl(1);
        if (conf.validMillis() >= 0) {
            int s = (int) Math.max(1, Math.min(Integer.MAX_VALUE, conf.validMillis() / 1000));
            b.ttl(s, s);
        }
        this.dns = b.build();
    }

    /** The resolvers of one server: those of the configuration in force, on a loop of their own. */
    static final class Running {
        private EventLoopGroup loopGroup;
        private List<PeerResolver> running = List.of();

        synchronized void switchTo(List<UpstreamGroup> groups) {
            for (PeerResolver r : running) {
                r.stop();
            }
            running = List.of();
            if (groups.isEmpty()) {
                return;
            }
            start(groups);
        }

        synchronized void stop() {
            switchTo(List.of());
            if (loopGroup != null) {
                loopGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS);
                loopGroup = null;
            }
        }

        private void start(List<UpstreamGroup> groups) {
            if (loopGroup == null) {
                // NIO on purpose: one small loop for look-ups, whatever the transport of the listeners
                loopGroup = new MultiThreadIoEventLoopGroup(1, r -> {
                    Thread t = new Thread(r, "portico-upstream-resolver");
                    t.setDaemon(true);
                    return t;
                }, NioIoHandler.newFactory());
            }
            List<PeerResolver> next = new ArrayList<>();
            for (UpstreamGroup g : groups) {
                EventLoop loop = loopGroup.next();
                PeerResolver r;
                try {
                    r = new PeerResolver(g, loop);
                } catch (RuntimeException e) {
                    ErrorLog.get().log(dev.portico.observability.LogLevel.ALERT, 0, "resolver for upstream \"" + g.name()
                        + "\" failed: " + e);
                    continue;
                }
                next.add(r);
                loop.execute(r::poll);
            }
            running = List.copyOf(next);
        }
    }

    private void stop() {
        stopped = true;
        loop.execute(() -> {
            if (task != null) {
                task.cancel(false);
            }
            dns.close();
        });
    }

    private void poll() {
        if (stopped) {
            return;
        }
        int[] pendingCount = {group.resolved.size()};
        boolean[] changed = {false};
        for (ResolvedServers rs : group.resolved) {
            dns.resolveAll(rs.host).addListener(f -> {
                if (stopped) {
                    return;
                }
                List<SocketAddress> now = new ArrayList<>();
                if (f.isSuccess()) {
                    @SuppressWarnings("unchecked")
                    List<InetAddress> addrs = (List<InetAddress>) f.getNow();
                    for (InetAddress a : addrs) {
                        now.add(new InetSocketAddress(a, rs.port));
                    }
                } else if (!rs.addresses.isEmpty()) {
                    // nginx keeps the last good answer while the resolver fails
                    ErrorLog.get().log(dev.portico.observability.LogLevel.ERROR, 0,
                        rs.host + " could not be resolved (" + f.cause().getMessage() + ")");
                    now.addAll(rs.addresses);
                }
                if (!new HashSet<>(now).equals(new HashSet<>(rs.addresses))) {
                    rs.addresses = List.copyOf(now);
                    changed[0] = true;
                }
                if (--pendingCount[0] == 0) {
                    if (changed[0]) {
                        rebuild();
                    }
                    task = loop.schedule(this::poll, POLL_MILLIS, TimeUnit.MILLISECONDS);
                }
            });
        }
    }

    private void rebuild() {
        List<Object[]> pending = new ArrayList<>(group.staticServers);
        for (ResolvedServers rs : group.resolved) {
            for (SocketAddress a : rs.addresses) {
                pending.add(new Object[] {rs.line, a});
            }
        }
        List<Peer> primary = new ArrayList<>();
        List<Peer> backup = new ArrayList<>();
        UpstreamBlock.peers(group.name(), group.states, pending, primary, backup);
        group.replacePeers(primary, backup);
    }
}
