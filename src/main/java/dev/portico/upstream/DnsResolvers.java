package dev.portico.upstream;

import dev.portico.core.Transport;
import io.netty.channel.EventLoop;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.resolver.ResolvedAddressTypes;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.SequentialDnsServerAddressStreamProvider;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.Future;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Looks up names known only at request time (a {@code proxy_pass} with variables) with the
 * configured {@code resolver}, asynchronously on the calling event loop (Netty's DNS resolver;
 * nothing blocks). One resolver, with its cache, per configuration and event loop.
 */
public final class DnsResolvers {
    private record Key(ResolverConf conf, long timeoutMillis) {
    }

    private static final FastThreadLocal<Map<Key, DnsNameResolver>> RESOLVERS = new FastThreadLocal<>() {
        @Override
        protected Map<Key, DnsNameResolver> initialValue() {
            return new HashMap<>();
        }
    };

    private DnsResolvers() {
    }

    public static Future<List<InetAddress>> resolve(EventLoop loop, ResolverConf conf, long timeoutMillis, String host) {
        DnsNameResolver r = RESOLVERS.get().computeIfAbsent(new Key(conf, timeoutMillis), k -> create(loop, conf, timeoutMillis));
        return r.resolveAll(host);
    }

    private static DnsNameResolver create(EventLoop loop, ResolverConf conf, long timeoutMillis) {
        ResolvedAddressTypes types = conf.ipv4() && conf.ipv6() ? ResolvedAddressTypes.IPV4_PREFERRED
            : conf.ipv4() ? ResolvedAddressTypes.IPV4_ONLY : ResolvedAddressTypes.IPV6_ONLY;
        DnsNameResolverBuilder b = new DnsNameResolverBuilder(loop)
            .datagramChannelType(Transport.epoll() ? EpollDatagramChannel.class : NioDatagramChannel.class)
            .nameServerProvider(new SequentialDnsServerAddressStreamProvider(conf.servers()))
            .queryTimeoutMillis(timeoutMillis)
            .resolvedAddressTypes(types)
            .hostsFileEntriesResolver((name, types2) -> null)
            .searchDomains(List.of())
            .ndots(1);
        if (conf.validMillis() >= 0) {
            int s = (int) Math.min(Integer.MAX_VALUE, conf.validMillis() / 1000);
            b.ttl(s, s);
        }
        return b.build();
    }
}
