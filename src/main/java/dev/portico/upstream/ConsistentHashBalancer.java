package dev.portico.upstream;

import dev.portico.bytes.ByteStrings;
import java.util.Arrays;
import java.util.zip.CRC32;

/**
 * {@code hash key consistent}: a ketama ring compatible with nginx (and Cache::Memcached::Fast).
 * Each server line gets 160 points per weight unit, point j being
 * {@code crc32(host "\0" port prev_hash)} with the previous point's value as four little-endian
 * bytes; a key's {@code crc32} finds the first point at or above it. Adding a server moves only
 * the keys that land on its points (about 1/n). Peers of one server line share its points and
 * take turns by smooth round robin; an unusable server moves to the next point (20 times at most).
 */
final class ConsistentHashBalancer extends HashingBalancer {
    private final long[] points;
    private final String[] pointServer;

    ConsistentHashBalancer(UpstreamGroup group) {
        super(group);
        int n = 0;
        for (Peer p : rr.primary) {
            n += p.weight() * 160;
        }
        long[][] raw = new long[n][];
        String[] servers = new String[n];
        int k = 0;
        java.util.List<String> names = new java.util.ArrayList<>();
        for (Peer p : rr.primary) {
            byte[] base = baseBytes(p.server());
            long prev = 0;
            for (int j = 0; j < p.weight() * 160; j++) {
                CRC32 crc = new CRC32();
                crc.update(base);
                crc.update(new byte[] {(byte) prev, (byte) (prev >>> 8), (byte) (prev >>> 16), (byte) (prev >>> 24)});
                long h = crc.getValue();
                raw[k] = new long[] {h, names.size()};
                k++;
                prev = h;
            }
            names.add(p.server());
        }
        Arrays.sort(raw, (a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        // equal hashes: nginx keeps the first after sorting
        long[] pts = new long[n];
        int m = 0;
        for (long[] r : raw) {
            if (m > 0 && pts[m - 1] == r[0]) {
                continue;
            }
            pts[m] = r[0];
            servers[m] = names.get((int) r[1]);
            m++;
        }
        this.points = Arrays.copyOf(pts, m);
        this.pointServer = Arrays.copyOf(servers, m);
    }

    /** "host" "\0" "port": a trailing ":digits" is the port; "unix:" paths have none. */
    static byte[] baseBytes(String server) {
        String host = server;
        String port = "";
        if (server.regionMatches(true, 0, "unix:", 0, 5)) {
            host = server.substring(5);
        } else {
            for (int j = server.length() - 1; j >= 0; j--) {
                char c = server.charAt(j);
                if (c == ':') {
                    host = server.substring(0, j);
                    port = server.substring(j + 1);
                    break;
                }
                if (c < '0' || c > '9') {
                    break;
                }
            }
        }
        return ByteStrings.bytes(host + "\0" + port);
    }

    /** Index of the first point at or above the hash (may be the point count: it wraps). */
    int findPoint(long hash) {
        int lo = 0;
        int hi = points.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (hash > points[mid]) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    @Override
    Peer pickLocked(BalancerRequest req, long now) {
        String key = req.hashKey();
        if (key == null || key.isEmpty() || rr.primary.length < 2 || points.length == 0) {
            return null;
        }
        if (!req.hashStarted) {
            req.hashStarted = true;
            CRC32 crc = new CRC32();
            crc.update(ByteStrings.bytes(key));
            req.hash = findPoint(crc.getValue());
        }
        while (true) {
            String server = pointServer[(int) (req.hash % points.length)];
            Peer best = rr.smooth(rr.primary, p -> p.server().equals(server) && RoundRobinBalancer.usable(p, req, now));
            if (best != null) {
                return take(best, req, now);
            }
            req.hash++;
            if (++req.hashTries > MAX_HASH_TRIES) {
                return null;
            }
        }
    }

    /** The server line a key maps to when every server is usable (for tests and a status page). */
    String serverFor(String key) {
        CRC32 crc = new CRC32();
        crc.update(ByteStrings.bytes(key));
        return pointServer[findPoint(crc.getValue()) % points.length];
    }
}
