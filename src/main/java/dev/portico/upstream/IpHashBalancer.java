package dev.portico.upstream;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * {@code ip_hash}: the client's IPv4 network (first three octets) or whole IPv6 address picks
 * the server, with nginx's hash (start 89, {@code h = (h * 113 + byte) % 6271}, repeated over
 * the address bytes on each retry), so a client keeps its server as long as it is usable.
 */
final class IpHashBalancer extends HashingBalancer {
    private final int totalWeight;

    IpHashBalancer(UpstreamGroup group) {
        super(group);
        this.totalWeight = totalWeight();
    }

    @Override
    Peer pickLocked(BalancerRequest req, long now) {
        byte[] addr = addressBytes(req.clientAddress());
        if (addr == null) {
            return null;
        }
        if (!req.hashStarted) {
            req.hashStarted = true;
            req.hash = 89;
        }
        while (true) {
            long h = req.hash;
            for (byte b : addr) {
                h = (h * 113 + (b & 0xff)) % 6271;
            }
            req.hash = h;
            Peer p = byWeight(h % totalWeight);
            if (RoundRobinBalancer.usable(p, req, now)) {
                return take(p, req, now);
            }
            if (++req.hashTries > MAX_HASH_TRIES) {
                return null;
            }
        }
    }

    /** The bytes nginx hashes: three for IPv4, sixteen for IPv6; null for other clients (unix sockets). */
    static byte[] addressBytes(String host) {
        if (host == null || host.isEmpty()) {
            return null;
        }
        if (host.indexOf(':') < 0) {
            String[] parts = host.split("\\.");
            if (parts.length != 4) {
                return null;
            }
            byte[] b = new byte[3];
            try {
                for (int i = 0; i < 3; i++) {
                    b[i] = (byte) Integer.parseInt(parts[i]);
                }
            } catch (NumberFormatException e) {
                return null;
            }
            return b;
        }
        try {
            // a literal: no lookup happens
            byte[] a = InetAddress.getByName(host.startsWith("[") ? host.substring(1, host.length() - 1) : host).getAddress();
            return a.length == 4 ? java.util.Arrays.copyOf(a, 3) : a;
        } catch (UnknownHostException | SecurityException e) {
            return null;
        }
    }
}
