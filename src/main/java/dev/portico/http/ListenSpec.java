package dev.portico.http;

import dev.portico.config.ConfNode;
import dev.portico.config.ConfigException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One address of a {@code listen} directive: an IPv4 or IPv6 address ({@code null} host is the
 * IPv4 wildcard, as {@code listen 80} and {@code listen *:80}), or a unix socket, and its options.
 * {@code bind} is nginx's "socket options were given" flag: {@code bind}, {@code backlog=},
 * {@code rcvbuf=}, {@code sndbuf=}, {@code ipv6only=}, {@code reuseport} and the other socket
 * options each imply a socket of its own for the address.
 */
public record ListenSpec(String host, int port, String unixPath, boolean defaultServer, int backlog,
                         boolean reusePort, Boolean ipv6only, boolean ssl, boolean http2, boolean proxyProtocol,
                         boolean bind, String text, int rcvbuf, int sndbuf, Path file, int line) {
    /** listen parameters whose module is not built yet, with the module nginx names when it lacks one. */
    private static final java.util.Map<String, String> NOT_YET = java.util.Map.of(
        "quic", "ngx_http_v3_module");

    /** The key two listen directives share when they name the same socket: nginx's address text. */
    public String key() {
        return addrText();
    }

    /** nginx's address text for messages: {@code 0.0.0.0:80}, {@code [::1]:8080}, {@code unix:/path}. */
    public String addrText() {
        if (unixPath != null) {
            return "unix:" + unixPath;
        }
        String h = host == null ? "0.0.0.0" : host;
        return (h.indexOf(':') >= 0 ? "[" + h + "]" : h) + ":" + port;
    }

    public boolean isIpv6() {
        return host != null && host.indexOf(':') >= 0;
    }

    /** The IPv4 ({@code 0.0.0.0}) or IPv6 ({@code ::}) wildcard. */
    public boolean isWildcard() {
        return unixPath == null && (host == null || host.equals("0.0.0.0") || host.equals("::"));
    }

    public SocketAddress socketAddress() throws UnknownHostException {
        if (unixPath != null) {
            return new io.netty.channel.unix.DomainSocketAddress(unixPath);
        }
        // "listen 80" is IPv4 only, as in nginx: bind 0.0.0.0, not a dual-stack socket
        return new InetSocketAddress(InetAddress.getByName(host == null ? "0.0.0.0" : host), port);
    }

    /** The same address with other options (the listen that carries the socket options wins). */
    ListenSpec withDefault(boolean def) {
        return new ListenSpec(host, port, unixPath, def, backlog, reusePort, ipv6only, ssl, http2, proxyProtocol, bind,
            text, rcvbuf, sndbuf, file, line);
    }

    ListenSpec withFlags(boolean def, boolean ssl, boolean http2, boolean proxyProtocol) {
        return new ListenSpec(host, port, unixPath, def, backlog, reusePort, ipv6only, ssl, http2, proxyProtocol, bind,
            text, rcvbuf, sndbuf, file, line);
    }

    /** The default {@code listen *:80} (as superuser) or {@code *:8000} of a server without one. */
    static ListenSpec defaultListen(Path file, int line) {
        int port = isSuperuser() ? 80 : 8000;
        return new ListenSpec(null, port, null, false, 511, false, null, false, false, false, false, "*:" + port,
            0, 0, file, line);
    }

    private static boolean isSuperuser() {
        try {
            return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
        } catch (RuntimeException | LinkageError e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    /** Text form of an address: dotted IPv4, or IPv6 compressed as RFC 5952 (as nginx prints it). */
    public static String text(InetAddress a) {
        if (!(a instanceof Inet6Address)) {
            return a.getHostAddress();
        }
        byte[] b = a.getAddress();
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                s.append("::");
                i += bestLen - 1;
                continue;
            }
            if (s.length() > 0 && s.charAt(s.length() - 1) != ':') {
                s.append(':');
            }
            s.append(Integer.toHexString(g[i]));
        }
        return s.toString();
    }

    /** Parses a listen directive; a host name that resolves to several addresses gives one spec each, as nginx. */
    public static List<ListenSpec> parse(ConfNode node) throws ConfigException {
        List<String> a = node.args();
        String addr = a.get(0);
        String host = null;
        int port = 80;
        int lastPort = 0;
        String unix = null;
        if (addr.regionMatches(true, 0, "unix:", 0, 5)) {
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
                int[] range = ports(node, addr, addr.substring(close + 2));
                port = range[0];
                lastPort = range[1];
            }
            if (host.isEmpty() || !isIpv6Literal(host)) {
                throw node.error("invalid IPv6 address in \"" + addr + "\" of the \"listen\" directive");
            }
        } else {
            int colon = addr.lastIndexOf(':');
            if (colon >= 0) {
                host = addr.substring(0, colon);
                int[] range = ports(node, addr, addr.substring(colon + 1));
                port = range[0];
                lastPort = range[1];
                if (host.isEmpty()) {
                    throw node.error("no host in \"" + addr + "\" of the \"listen\" directive");
                }
            } else if (!addr.isEmpty() && addr.chars().allMatch(c -> Character.isDigit(c) || c == '-')) {
                int[] range = ports(node, addr, addr);
                port = range[0];
                lastPort = range[1];
            } else {
                host = addr;
            }
            if ("*".equals(host)) {
                host = null;
            }
        }
        List<String> hosts = new ArrayList<>();
        if (host == null) {
            hosts.add(null);
        } else {
            try {
                for (InetAddress ia : InetAddress.getAllByName(host)) {
                    String t = text(ia);
                    if (!hosts.contains(t)) {
                        hosts.add(t);
                    }
                }
            } catch (UnknownHostException e) {
                throw node.error("host not found in \"" + addr + "\" of the \"listen\" directive");
            }
        }
        boolean def = false;
        boolean reuse = false;
        boolean bind = false;
        boolean pp = false;
        boolean ssl = false;
        boolean http2 = false;
        Boolean v6only = null;
        int backlog = 511;
        int rcvbuf = 0;
        int sndbuf = 0;
        for (int i = 1; i < a.size(); i++) {
            String o = a.get(i);
            if (o.equals("default_server") || o.equals("default")) {
                def = true;
            } else if (o.equals("reuseport")) {
                reuse = true;
                bind = true;
            } else if (o.equals("proxy_protocol")) {
                pp = true;
            } else if (o.equals("ssl")) {
                ssl = true;
            } else if (o.equals("http2")) {
                // still honoured for the whole address, as nginx 1.25.1+ does, with its warning
                dev.portico.observability.ErrorLog.warn("the \"listen ... http2\" directive is deprecated, use the \"http2\""
                    + " directive instead in " + node.file() + ":" + node.line());
                http2 = true;
            } else if (NOT_YET.containsKey(o)) {
                // parsed and dropped, a TLS port would serve plaintext: refused until implemented
                throw node.error("the \"" + o + "\" parameter requires " + NOT_YET.get(o));
            } else if (o.equals("bind")) {
                bind = true;
            } else if (o.startsWith("backlog=")) {
                backlog = positive(o.substring(8));
                if (backlog <= 0) {
                    throw node.error("invalid backlog \"" + o.substring(8) + "\"");
                }
                bind = true;
            } else if (o.startsWith("rcvbuf=")) {
                rcvbuf = (int) Math.min(Integer.MAX_VALUE, dev.portico.config.directive.Values.parseSize(o.substring(7)));
                if (rcvbuf <= 0) {
                    throw node.error("invalid rcvbuf \"" + o.substring(7) + "\"");
                }
                bind = true;
            } else if (o.startsWith("sndbuf=")) {
                sndbuf = (int) Math.min(Integer.MAX_VALUE, dev.portico.config.directive.Values.parseSize(o.substring(7)));
                if (sndbuf <= 0) {
                    throw node.error("invalid sndbuf \"" + o.substring(7) + "\"");
                }
                bind = true;
            } else if (o.startsWith("ipv6only=")) {
                String v = o.substring(9);
                if (v.equals("on")) {
                    v6only = true;
                } else if (v.equals("off")) {
                    v6only = false;
                } else {
                    throw node.error("invalid ipv6only flags \"" + v + "\"");
                }
                bind = true;
            } else if (o.startsWith("so_keepalive=") || o.equals("deferred") || o.startsWith("fastopen=")
                || o.startsWith("accept_filter=") || o.startsWith("setfib=")) {
                // accepted; the kernel defaults stay (documented)
                bind = true;
            } else {
                throw node.error("invalid parameter \"" + o + "\"");
            }
        }
        List<ListenSpec> out = new ArrayList<>(hosts.size());
        for (String h : hosts) {
            // a port range (nginx 1.27.3+) listens on every port of it, as if each had its own listen
            for (int p = port; p <= Math.max(port, lastPort); p++) {
                ListenSpec s = new ListenSpec(h, p, unix, def, backlog, reuse, v6only, ssl, http2, pp, bind, addr,
                    rcvbuf, sndbuf, node.file(), node.line());
                if (v6only != null && !s.isIpv6()) {
                    throw node.error("ipv6only is not supported on addr \"" + s.addrText() + "\", ignored");
                }
                out.add(s);
            }
        }
        return out;
    }

    private static boolean isIpv6Literal(String h) {
        for (int i = 0; i < h.length(); i++) {
            char c = h.charAt(i);
            if (!(Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
                return false;
            }
        }
        return h.indexOf(':') >= 0;
    }

    private static int positive(String v) {
        if (v.isEmpty() || v.length() > 9 || !v.chars().allMatch(Character::isDigit)) {
            return -1;
        }
        return Integer.parseInt(v);
    }

    /**
     * A port, or a range {@code first-last} (nginx 1.27.3+), as ngx_parse_inet_url reads them:
     * each end a port from 1 to 65535, the first not above the last. Returns {first, last}, last 0
     * for a single port.
     */
    private static int[] ports(ConfNode node, String addr, String p) throws ConfigException {
        int dash = p.indexOf('-');
        if (dash < 0) {
            return new int[] {port(node, addr, p), 0};
        }
        int last = port(node, addr, p.substring(dash + 1));
        int first = port(node, addr, p.substring(0, dash));
        if (first > last) {
            throw node.error("invalid port range in \"" + addr + "\" of the \"listen\" directive");
        }
        return new int[] {first, last};
    }

    private static int port(ConfNode node, String addr, String p) throws ConfigException {
        if (p.isEmpty() || p.length() > 5 || !p.chars().allMatch(Character::isDigit)) {
            throw node.error("invalid port in \"" + addr + "\" of the \"listen\" directive");
        }
        int n = Integer.parseInt(p);
        if (n < 1 || n > 65535) {
            throw node.error("invalid port in \"" + addr + "\" of the \"listen\" directive");
        }
        return n;
    }
}
