package dev.portico.security;

import dev.portico.config.ConfNode;
import dev.portico.config.ConfigException;
import dev.portico.observability.ErrorLog;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * One {@code allow} or {@code deny} line: an IPv4 or IPv6 address with an optional prefix
 * length, {@code unix:}, or {@code all}. Addresses are kept as masked numbers so that a match
 * is a few integer operations.
 */
record AccessRule(boolean deny, Kind kind, long hi, long lo, long maskHi, long maskLo) {
    enum Kind { ALL, UNIX, IPV4, IPV6 }

    /** nginx's ngx_http_access_rule: the argument of {@code allow}/{@code deny}. */
    static AccessRule parse(ConfNode node, boolean deny) throws ConfigException {
        return parse(node, node.arg(0), deny);
    }

    /** {@code v} as an address rule, errors reported at {@code node}. */
    static AccessRule parse(ConfNode node, String v, boolean deny) throws ConfigException {
        if (v.equals("all")) {
            return new AccessRule(deny, Kind.ALL, 0, 0, 0, 0);
        }
        if (v.equals("unix:")) {
            return new AccessRule(deny, Kind.UNIX, 0, 0, 0, 0);
        }
        int slash = v.indexOf('/');
        String host = slash < 0 ? v : v.substring(0, slash);
        if (!isAddressLiteral(host)) {
            throw node.error("invalid parameter \"" + v + "\"");
        }
        InetAddress a;
        try {
            a = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw node.error("invalid parameter \"" + v + "\"");
        }
        byte[] b = a.getAddress();
        int bits = b.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            String p = v.substring(slash + 1);
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit) || Integer.parseInt(p) > bits) {
                throw node.error("invalid parameter \"" + v + "\"");
            }
            prefix = Integer.parseInt(p);
        }
        long hi = 0;
        long lo = 0;
        if (a instanceof Inet4Address) {
            lo = ((b[0] & 0xffL) << 24) | ((b[1] & 0xffL) << 16) | ((b[2] & 0xffL) << 8) | (b[3] & 0xffL);
            long mask = prefix == 0 ? 0 : (0xffffffffL << (32 - prefix)) & 0xffffffffL;
            if ((lo & ~mask) != 0) {
                ErrorLog.warn("low address bits of " + v + " are meaningless in " + node.file() + ":" + node.line());
            }
            return new AccessRule(deny, Kind.IPV4, 0, lo & mask, 0, mask);
        }
        for (int i = 0; i < 8; i++) {
            hi = (hi << 8) | (b[i] & 0xffL);
            lo = (lo << 8) | (b[i + 8] & 0xffL);
        }
        long maskHi = prefix >= 64 ? -1L : prefix == 0 ? 0 : -1L << (64 - prefix);
        long maskLo = prefix <= 64 ? 0 : prefix == 128 ? -1L : -1L << (128 - prefix);
        if ((hi & ~maskHi) != 0 || (lo & ~maskLo) != 0) {
            ErrorLog.warn("low address bits of " + v + " are meaningless in " + node.file() + ":" + node.line());
        }
        return new AccessRule(deny, Kind.IPV6, hi & maskHi, lo & maskLo, maskHi, maskLo);
    }

    /** The prefix length: more specific rules have more bits. */
    int bits() {
        return Long.bitCount(maskHi) + Long.bitCount(maskLo);
    }

    /** A literal address: never a host name to look up (nginx refuses names here). */
    private static boolean isAddressLiteral(String s) {
        return s.indexOf(':') >= 0 ? dev.portico.core.IpLiteral.isIpv6(s) : dev.portico.core.IpLiteral.isIpv4(s);
    }
}
