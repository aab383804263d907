package dev.portico.security;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The client named by a proxy's header, as nginx reads it (ngx_http_get_forwarded_addr): a
 * comma-separated list read from the right; the rightmost address, or with {@code recursive}
 * the rightmost one that is not itself trusted. Used by the real-IP and geo modules.
 */
final class ForwardedAddress {
    private ForwardedAddress() {
    }

    /** The client's address, or null when the value holds none that can be read. */
    static InetAddress client(String value, AccessCheck trusted, boolean recursive) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        InetAddress client = null;
        String[] parts = value.split(",");
        for (int i = parts.length - 1; i >= 0; i--) {
            InetAddress a = literal(parts[i].trim());
            if (a == null) {
                // nginx stops at an address it cannot read
                break;
            }
            client = a;
            if (!recursive || !trusted.allows(new InetSocketAddress(a, 0))) {
                break;
            }
        }
        return client;
    }

    /** An IPv4 or IPv6 literal (brackets and a port allowed, as senders write them), else null; never a name lookup. */
    static InetAddress literal(String s) {
        if (s == null) {
            return null;
        }
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            s = close < 0 ? s : s.substring(1, close);
        } else if (s.indexOf(':') == s.lastIndexOf(':') && s.indexOf(':') > 0) {
            s = s.substring(0, s.indexOf(':'));
        }
        if (s.isEmpty() || !s.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':')) {
            return null;
        }
        try {
            return InetAddress.getByName(s);
        } catch (java.net.UnknownHostException e) {
            return null;
        }
    }
}
