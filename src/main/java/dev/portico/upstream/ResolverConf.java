package dev.portico.upstream;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * {@code resolver address ... [valid=time] [ipv4=on|off] [ipv6=on|off]}: the name servers used
 * for host names known only at request time. Like nginx, Portico asks these servers only
 * (no /etc/hosts, no search domains).
 *
 * @param validMillis how long answers are cached, or -1 to use their TTL
 */
public record ResolverConf(List<InetSocketAddress> servers, long validMillis, boolean ipv4, boolean ipv6) {
}
