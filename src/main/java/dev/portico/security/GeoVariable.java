package dev.portico.security;

import dev.portico.config.ConfNode;
import dev.portico.config.ConfigException;
import dev.portico.http.Exchange;
import dev.portico.variables.Template;
import dev.portico.variables.Variable;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;

/** The variable a {@code geo} block defines: the value of the entry that contains the address. */
final class GeoVariable implements Variable {
    /** A CIDR entry ({@code rule}), or with {@code ranges} an IPv4 range {@code start..end}. */
    record Entry(AccessRule rule, long start, long end, String value) {
        static Entry of(long[] range, String value) {
            return new Entry(null, range[0], range[1], value);
        }
    }

    private final Template source;
    private final Entry[] entries;
    /** One check per CIDR entry, in the entries' order (none with ranges). */
    private final AccessCheck[] cidrs;
    private final boolean ranges;
    private final String defaultValue;
    private final AccessCheck proxies;
    private final boolean recursive;

    GeoVariable(Template source, List<Entry> entries, boolean ranges, String defaultValue, AccessRule[] proxies, boolean recursive) {
        this.source = source;
        this.entries = entries.toArray(new Entry[0]);
        this.cidrs = new AccessCheck[ranges ? 0 : this.entries.length];
        for (int i = 0; i < cidrs.length; i++) {
            cidrs[i] = new AccessCheck(new AccessRule[] {this.entries[i].rule()});
        }
        this.ranges = ranges;
        this.defaultValue = defaultValue;
        this.proxies = proxies.length == 0 ? null : new AccessCheck(proxies);
        this.recursive = recursive;
    }

    /** {@code a.b.c.d-e.f.g.h} as two numbers. */
    static long[] range(ConfNode node, String v) throws ConfigException {
        int dash = v.indexOf('-');
        long start = dash < 0 ? -1 : ipv4(v.substring(0, dash));
        long end = dash < 0 ? -1 : ipv4(v.substring(dash + 1));
        if (start < 0 || end < 0 || end < start) {
            throw node.error("invalid range \"" + v + "\"");
        }
        return new long[] {start, end};
    }

    private static long ipv4(String s) {
        String[] p = s.split("\\.", -1);
        if (p.length != 4) {
            return -1;
        }
        long r = 0;
        for (String x : p) {
            if (x.isEmpty() || x.length() > 3 || !x.chars().allMatch(Character::isDigit) || Integer.parseInt(x) > 255) {
                return -1;
            }
            r = r * 256 + Integer.parseInt(x);
        }
        return r;
    }

    @Override
    public String get(Exchange ex) {
        SocketAddress address = address(ex);
        if (address == null) {
            return defaultValue;
        }
        if (ranges) {
            if (address instanceof InetSocketAddress isa && isa.getAddress() instanceof Inet4Address a) {
                byte[] b = a.getAddress();
                long n = ((b[0] & 0xffL) << 24) | ((b[1] & 0xffL) << 16) | ((b[2] & 0xffL) << 8) | (b[3] & 0xffL);
                for (Entry e : entries) {
                    if (n >= e.start() && n <= e.end()) {
                        return e.value();
                    }
                }
            }
            return defaultValue;
        }
        for (int i = 0; i < cidrs.length; i++) {
            if (cidrs[i].allows(address)) {
                return entries[i].value();
            }
        }
        return defaultValue;
    }

    /** The address to look up: the {@code geo} block's variable, else the client (from X-Forwarded-For behind a listed proxy). */
    private SocketAddress address(Exchange ex) {
        if (source != null) {
            InetAddress a = ForwardedAddress.literal(source.render(ex));
            return a == null ? null : new InetSocketAddress(a, 0);
        }
        SocketAddress peer = ex.remoteAddress();
        if (proxies == null || !proxies.allows(peer)) {
            return peer;
        }
        InetAddress client = ForwardedAddress.client(String.join(",", ex.requestHeaders().getAll("X-Forwarded-For")),
            proxies, recursive);
        return client == null ? peer : new InetSocketAddress(client, 0);
    }
}
