package dev.portico.proxy;

import dev.portico.core.IpLiteral;
import dev.portico.http.Exchange;
import dev.portico.observability.LogLevel;
import dev.portico.variables.Template;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * {@code proxy_bind}: the local address (and optional port) connections to the backend come from,
 * fixed or built from variables per request, with {@code transparent} for a non-local address
 * (IP_TRANSPARENT). Addresses are literals as ngx_parse_addr_port takes them: {@code 10.0.0.1},
 * {@code 10.0.0.1:5000}, {@code ::1}, {@code [::1]:5000}; never a host name.
 */
record LocalBind(InetSocketAddress address, Template value, String text, boolean transparent) {
    /** {@code proxy_bind off}: the system chooses. */
    static final LocalBind OFF = new LocalBind(null, null, "off", false);

    /** An address to bind, with its text as written (nginx names it so in "bind(...) failed"). */
    record Bound(InetSocketAddress address, String text) {
    }

    /** The address for one request, or null: off, an empty value, or (logged) a value that is no address. */
    Bound resolve(Exchange ex) {
        if (value == null) {
            return address == null ? null : new Bound(address, text);
        }
        String v = value.render(ex);
        if (v.isEmpty()) {
            return null;
        }
        InetSocketAddress a = parse(v);
        if (a == null) {
            ProxyLog.log(LogLevel.ERROR, ex, "invalid local address \"" + v + "\"", null, null);
            return null;
        }
        return new Bound(a, v);
    }

    /** An IP literal with an optional port (port 0: any), or null when the text is not one. */
    static InetSocketAddress parse(String s) {
        String host = s;
        int port = 0;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                return null;
            }
            host = s.substring(1, close);
            String rest = s.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":") || (port = port(rest.substring(1))) < 0) {
                    return null;
                }
            }
            if (!isIpv6(host)) {
                return null;
            }
        } else if (!IpLiteral.isIpv4(s) && !isIpv6(s)) {
            int colon = s.lastIndexOf(':');
            if (colon < 0 || !IpLiteral.isIpv4(s.substring(0, colon)) || (port = port(s.substring(colon + 1))) < 0) {
                return null;
            }
            host = s.substring(0, colon);
        }
        try {
            // a literal: no name is looked up
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static int port(String p) {
        if (p.isEmpty() || p.length() > 5 || !p.chars().allMatch(Character::isDigit)) {
            return -1;
        }
        int n = Integer.parseInt(p);
        return n >= 1 && n <= 65535 ? n : -1;
    }

    /** An IPv6 literal has at least two colons ("::1"); one colon is an IPv4 address and a port. */
    private static boolean isIpv6(String s) {
        return s.indexOf(':') != s.lastIndexOf(':') && IpLiteral.isIpv6(s);
    }
}
