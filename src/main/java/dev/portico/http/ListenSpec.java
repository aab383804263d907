package dev.portico.http;

import dev.portico.config.ConfNode;
import dev.portico.config.ConfigException;
import dev.portico.config.directive.Values;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * One {@code listen} directive: an address (IPv4, IPv6, {@code *}, a host name resolved at load,
 * or a unix socket) and its socket options.
 */
public record ListenSpec(String host, int port, String unixPath, boolean defaultServer, int backlog,
                         boolean reusePort, Boolean ipv6only, boolean ssl, boolean http2, boolean proxyProtocol,
                         boolean bind, String text) {

    /** The key two listen directives share when they name the same socket. */
    public String key() {
        return unixPath != null ? "unix:" + unixPath : (host == null ? "*" : host) + ":" + port;
    }

    public boolean isWildcard() {
        return unixPath == null && (host == null || host.equals("0.0.0.0") || host.equals("::"));
    }

    public SocketAddress socketAddress() throws UnknownHostException {
        if (unixPath != null) {
            return new io.netty.channel.unix.DomainSocketAddress(unixPath);
        }
        if (host == null) {
            return new InetSocketAddress(port);
        }
        return new InetSocketAddress(InetAddress.getByName(host), port);
    }

    public static ListenSpec parse(ConfNode node) throws ConfigException {
        List<String> a = node.args();
        String addr = a.get(0);
        String host = null;
        int port = 80;
        String unix = null;
        if (addr.startsWith("unix:")) {
            unix = addr.substring(5);
            if (unix.isEmpty()) {
                throw node.error("no path in the unix domain socket in \"" + addr + "\" of the \"listen\" directive");
            }
            port = 0;
        } else if (addr.startsWith("[")) {
            int close = addr.indexOf(']');
            if (close < 0) {
                throw node.error("invalid host in \"" + addr + "\" of the \"listen\" directive");
            }
            host = addr.substring(1, close);
            if (close + 1 < addr.length()) {
                if (addr.charAt(close + 1) != ':') {
                    throw node.error("invalid host in \"" + addr + "\" of the \"listen\" directive");
                }
                port = port(node, addr, addr.substring(close + 2));
            }
        } else {
            int colon = addr.lastIndexOf(':');
            if (colon >= 0) {
                host = addr.substring(0, colon);
                port = port(node, addr, addr.substring(colon + 1));
            } else if (addr.chars().allMatch(Character::isDigit)) {
                port = port(node, addr, addr);
            } else {
                host = addr;
            }
            if ("*".equals(host)) {
                host = null;
            }
        }
        if (host != null) {
            try {
                host = InetAddress.getByName(host).getHostAddress();
            } catch (UnknownHostException e) {
                throw node.error("host not found in \"" + addr + "\" of the \"listen\" directive");
            }
        }
        boolean def = false;
        boolean reuse = false;
        boolean ssl = false;
        boolean h2 = false;
        boolean pp = false;
        boolean bind = false;
        Boolean v6only = null;
        int backlog = 511;
        for (int i = 1; i < a.size(); i++) {
            String o = a.get(i);
            if (o.equals("default_server") || o.equals("default")) {
                def = true;
            } else if (o.equals("reuseport")) {
                reuse = true;
                bind = true;
            } else if (o.equals("ssl")) {
                ssl = true;
            } else if (o.equals("http2")) {
                h2 = true;
            } else if (o.equals("proxy_protocol")) {
                pp = true;
            } else if (o.equals("bind")) {
                bind = true;
            } else if (o.startsWith("backlog=")) {
                try {
                    backlog = Integer.parseInt(o.substring(8));
                } catch (NumberFormatException e) {
                    throw node.error("invalid backlog \"" + o.substring(8) + "\"");
                }
                bind = true;
            } else if (o.startsWith("ipv6only=")) {
                v6only = Values.flag(node, o.substring(9));
                bind = true;
            } else if (o.startsWith("rcvbuf=") || o.startsWith("sndbuf=") || o.startsWith("so_keepalive=")
                || o.equals("deferred") || o.startsWith("fastopen=") || o.startsWith("accept_filter=")
                || o.equals("setfib")) {
                bind = true;
            } else {
                throw node.error("invalid parameter \"" + o + "\"");
            }
        }
        return new ListenSpec(host, port, unix, def, backlog, reuse, v6only, ssl, h2, pp, bind, addr);
    }

    private static int port(ConfNode node, String addr, String p) throws ConfigException {
        try {
            int n = Integer.parseInt(p);
            if (n < 1 || n > 65535) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw node.error("invalid port in \"" + addr + "\" of the \"listen\" directive");
        }
    }
}
