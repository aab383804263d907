package dev.portico.upstream;

import java.net.SocketAddress;
import java.util.List;

/** One {@code server name resolve} line of a group, with the addresses the name had at the last look-up. */
final class ResolvedServers {
    final UpstreamBlock.ServerLine line;
    final String host;
    final int port;
    volatile List<SocketAddress> addresses;

    ResolvedServers(UpstreamBlock.ServerLine line, String host, int port, List<SocketAddress> addresses) {
        this.line = line;
        this.host = host;
        this.port = port;
        this.addresses = List.copyOf(addresses);
    }
}
