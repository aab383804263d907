package dev.portico.upstream;

import io.netty.channel.unix.DomainSocketAddress;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * An address as written in {@code server} or in a {@code proxy_pass} URL (nginx's
 * {@code ngx_parse_url}): {@code host}, {@code host:port}, {@code [v6]:port} or
 * {@code unix:/path}. {@link #parse} reports problems with nginx's words ("invalid port",
 * "no host"), to be put in front of {@code in upstream "..."}.
 */
public record ServerAddress(String host, int port, boolean explicitPort, String portText, String unixPath) {

    /** A parse failure; {@code getMessage()} is nginx's short reason. */
    public static final class Invalid extends Exception {
        public Invalid(String reason) {
            super(reason, null, false, false);
        }
    }

    public static ServerAddress parse(String text, int defaultPort) throws Invalid {
        if (text.regionMatches(true, 0, "unix:", 0, 5)) {
            String path = text.substring(5);
            if (path.isEmpty()) {
                throw new Invalid("no path in the unix domain socket");
            }
            return new ServerAddress("localhost", 0, false, "", path);
        }
        String host;
        String portPart = null;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                throw new Invalid("invalid host");
            }
            host = text.substring(1, close);
            String rest = text.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new Invalid("invalid host");
                }
                portPart = rest.substring(1);
            }
        } else {
            int colon = text.lastIndexOf(':');
            if (colon >= 0) {
                host = text.substring(0, colon);
                portPart = text.substring(colon + 1);
            } else {
                host = text;
            }
        }
        if (host.isEmpty()) {
            throw new Invalid("no host");
        }
        int port = defaultPort;
        boolean explicit = false;
        if (portPart != null) {
            port = parsePort(portPart);
            if (port < 1) {
                throw new Invalid("invalid port");
            }
            explicit = true;
        }
        return new ServerAddress(host, port, explicit, portPart == null ? "" : portPart, null);
    }

    private static int parsePort(String p) {
        if (p.isEmpty() || p.length() > 5) {
            return -1;
        }
        for (int i = 0; i < p.length(); i++) {
            if (!Character.isDigit(p.charAt(i))) {
                return -1;
            }
        }
        int v = Integer.parseInt(p);
        return v > 65535 ? -1 : v;
    }

    public boolean isUnix() {
        return unixPath != null;
    }

    /** True when the host is an IPv4 or IPv6 literal (no lookup needed). */
    public boolean isLiteral() {
        return isUnix() || isIpLiteral(host);
    }

    public static boolean isIpLiteral(String h) {
        if (h.indexOf(':') >= 0) {
            return true;
        }
        int dots = 0;
        for (int i = 0; i < h.length(); i++) {
            char c = h.charAt(i);
            if (c == '.') {
                dots++;
            } else if (!Character.isDigit(c)) {
                return false;
            }
        }
        return dots == 3;
    }

    /** "host:port" as nginx names a peer (IPv6 in brackets), or "unix:/path". */
    public static String peerName(SocketAddress a) {
        if (a instanceof InetSocketAddress isa) {
            InetAddress ia = isa.getAddress();
            String h = ia == null ? isa.getHostString() : ia.getHostAddress();
            return (h.indexOf(':') >= 0 ? "[" + h + "]" : h) + ":" + isa.getPort();
        }
        if (a instanceof DomainSocketAddress d) {
            return "unix:" + d.path();
        }
        return String.valueOf(a);
    }

    /**
     * The socket addresses this names, looking host names up now (configuration time, off
     * the event loops, as nginx resolves static names when it reads its configuration).
     */
    public List<SocketAddress> resolveNow() throws UnknownHostException {
        List<SocketAddress> out = new ArrayList<>();
        if (isUnix()) {
            out.add(new DomainSocketAddress(unixPath));
            return out;
        }
        for (InetAddress a : InetAddress.getAllByName(host)) {
            out.add(new InetSocketAddress(a, port));
        }
        return out;
    }

    /** As written, for messages: "host:port" or "unix:/path". */
    public String text() {
        if (isUnix()) {
            return "unix:" + unixPath;
        }
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return explicitPort ? h + ":" + portText : h;
    }
}
