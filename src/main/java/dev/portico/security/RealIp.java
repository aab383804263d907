package dev.portico.security;

import dev.portico.http.Exchange;
import dev.portico.http.PhaseHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;

/**
 * ngx_http_realip_module: when the connection comes from a trusted address
 * ({@code set_real_ip_from}), the client's address is taken from {@code real_ip_header}. With
 * {@code X-Forwarded-For} the rightmost address is the client, or with
 * {@code real_ip_recursive on} the rightmost one that is not trusted itself. Runs in the
 * post-read phase with the server's settings and again in pre-access with the location's,
 * once per request, as nginx.
 */
final class RealIp implements PhaseHandler {
    private final AccessCheck trusted;
    private final String header;
    private final boolean recursive;

    RealIp(List<AccessRule> trusted, String header, boolean recursive) {
        this.trusted = new AccessCheck(trusted.toArray(new AccessRule[0]));
        this.header = header;
        this.recursive = recursive;
    }

    /** nginx's $realip_remote_addr and port: the connection's peer, kept when the address is replaced. */
    record Original(SocketAddress address) {
    }

    @Override
    public int handle(Exchange ex) {
        if (ex.attachment(Original.class) != null || ex.hasRealRemote()) {
            return DECLINED;
        }
        SocketAddress peer = ex.remoteAddress();
        if (!trusted.allows(peer)) {
            return DECLINED;
        }
        String value = header.equals("proxy_protocol") ? proxyProtocolAddress(ex)
            : header.equalsIgnoreCase("X-Forwarded-For")
            ? String.join(",", ex.requestHeaders().getAll("X-Forwarded-For"))
            : ex.requestHeaders().get(header);
        InetAddress client = ForwardedAddress.client(value, trusted, recursive);
        if (client == null) {
            return DECLINED;
        }
        ex.attach(Original.class, new Original(peer));
        ex.realRemote(new InetSocketAddress(client, 0));
        return DECLINED;
    }

    private static String proxyProtocolAddress(Exchange ex) {
        var info = ex.connection().proxyProtocol();
        return info == null ? null : info.sourceAddress();
    }
}
