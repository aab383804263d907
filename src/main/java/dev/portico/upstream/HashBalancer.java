package dev.portico.upstream;

import dev.portico.bytes.ByteStrings;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * {@code hash key} without {@code consistent}: nginx's Cache::Memcached-compatible scheme,
 * {@code hash += (crc32([rehash] key) >> 16) & 0x7fff}, the server found by weight; an
 * unusable server rehashes (up to 20 times, then round robin). An empty key uses round robin.
 */
final class HashBalancer extends HashingBalancer {
    private final int totalWeight;

    HashBalancer(UpstreamGroup group) {
        super(group);
        this.totalWeight = totalWeight();
    }

    @Override
    Peer pickLocked(BalancerRequest req, long now) {
        String key = req.hashKey();
        if (key == null || key.isEmpty()) {
            return null;
        }
        byte[] k = ByteStrings.bytes(key);
        while (true) {
            CRC32 crc = new CRC32();
            if (req.rehash > 0) {
                crc.update(Integer.toString(req.rehash).getBytes(StandardCharsets.US_ASCII));
            }
            crc.update(k);
            req.hash += (crc.getValue() >>> 16) & 0x7fff;
            req.rehash++;
            Peer p = byWeight(req.hash % totalWeight);
            if (RoundRobinBalancer.usable(p, req, now)) {
                return take(p, req, now);
            }
            if (++req.hashTries > MAX_HASH_TRIES) {
                return null;
            }
        }
    }
}
