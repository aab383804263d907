package dev.portico.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The peer each method picks, request after request, on groups built in memory (no sockets are
 * needed to choose a peer; the proxy tests drive the same balancers through real backends).
 */
class BalancersTest {
    /** A server line: "name weight [backup|down] [max_conns=N]". */
    private static UpstreamGroup group(Balancer.Factory method, String... servers) {
        List<Peer> primary = new ArrayList<>();
        List<Peer> backup = new ArrayList<>();
        int index = 0;
        for (boolean wantBackup : new boolean[] {false, true}) {
            for (String s : servers) {
                String[] f = s.split(" ");
                boolean isBackup = s.contains("backup");
                if (isBackup != wantBackup) {
                    continue;
                }
                int maxConns = 0;
                for (String x : f) {
                    if (x.startsWith("max_conns=")) {
                        maxConns = Integer.parseInt(x.substring(10));
                    }
                }
                Peer p = new Peer(index++, f[0], new InetSocketAddress("127.0.0.1", 1000 + index), Integer.parseInt(f[1]), 1,
                    10_000L, maxConns, isBackup, s.contains("down"), new PeerState(dev.portico.core.Clock.SYSTEM), f[0]);
                (isBackup ? backup : primary).add(p);
            }
        }
        return new UpstreamGroup("g", false, primary, backup, KeepaliveConf.OFF, method);
    }

    /** Picks and releases at once (no overlap), as sequential requests do. */
    private static List<String> sequence(Balancer b, int n, String client, String key) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            BalancerRequest r = new BalancerRequest(b.tries(), client, key);
            Peer p = b.pick(r);
            out.add(p == null ? "-" : p.name());
            if (p != null) {
                b.release(p, r, false);
            }
        }
        return out;
    }

    @Test
    void smoothRoundRobinGivesNginxsSequenceForWeights511() {
        Balancer b = group(RoundRobinBalancer::new, "a 5", "b 1", "c 1").balancer();
        assertThat(sequence(b, 14, "127.0.0.1", null))
            .containsExactly("a", "a", "b", "a", "c", "a", "a", "a", "a", "b", "a", "c", "a", "a");
    }

    @Test
    void downPeersAreSkippedAndBackupsServeOnlyWhenNoPrimaryCan() {
        UpstreamGroup g = group(RoundRobinBalancer::new, "a 1 down", "b 1", "c 1 backup");
        assertThat(sequence(g.balancer(), 3, "127.0.0.1", null)).containsExactly("b", "b", "b");
        UpstreamGroup all = group(RoundRobinBalancer::new, "a 1 down", "b 1 down", "c 1 backup");
        assertThat(sequence(all.balancer(), 2, "127.0.0.1", null)).containsExactly("c", "c");
    }

    @Test
    void failedPeerIsLeftOutForFailTimeoutAndAllFailedResetsForQuickRecovery() {
        Balancer b = group(RoundRobinBalancer::new, "a 1", "b 1").balancer();
        BalancerRequest r = new BalancerRequest(b.tries(), "127.0.0.1", null);
        Peer first = b.pick(r);
        assertThat(b.release(first, r, true)).as("max_fails=1: disabled").isTrue();
        assertThat(sequence(b, 3, "127.0.0.1", null)).doesNotContain(first.name());
        // now the other fails too: nothing is live, nginx answers "no live upstreams" and forgets the failures
        BalancerRequest r2 = new BalancerRequest(b.tries(), "127.0.0.1", null);
        Peer second = b.pick(r2);
        b.release(second, r2, true);
        assertThat(b.pick(new BalancerRequest(b.tries(), "127.0.0.1", null))).isNull();
        assertThat(sequence(b, 2, "127.0.0.1", null)).doesNotContain("-");
    }

    @Test
    void maxConnsKeepsABusyPeerOutUntilAConnectionEnds() {
        Balancer b = group(RoundRobinBalancer::new, "a 1 max_conns=1", "b 1 max_conns=1").balancer();
        BalancerRequest r1 = new BalancerRequest(b.tries(), "127.0.0.1", null);
        BalancerRequest r2 = new BalancerRequest(b.tries(), "127.0.0.1", null);
        BalancerRequest r3 = new BalancerRequest(b.tries(), "127.0.0.1", null);
        Peer p1 = b.pick(r1);
        Peer p2 = b.pick(r2);
        assertThat(p1).isNotSameAs(p2);
        assertThat(b.pick(r3)).as("both at max_conns").isNull();
        b.release(p1, r1, false);
        assertThat(b.pick(new BalancerRequest(b.tries(), "127.0.0.1", null))).isSameAs(p1);
    }

    @Test
    void leastConnPrefersTheIdlestPeerPerWeightAndBreaksTiesRoundRobin() {
        Balancer b = group(LeastConnBalancer::new, "a 1", "b 1", "c 2").balancer();
        // idle group: all tie at 0, so the smooth order over weights 1,1,2
        assertThat(sequence(b, 4, "127.0.0.1", null)).containsExactly("c", "a", "b", "c");
        // hold connections open: a has 1, b 0, c 1 (ratio 1/2) -> b, then c (1/2 < 1/1) ...
        BalancerRequest hold = new BalancerRequest(b.tries(), "127.0.0.1", null);
        List<String> held = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            held.add(b.pick(new BalancerRequest(b.tries(), "127.0.0.1", null)).name());
        }
        // with c of weight 2, four concurrent connections split c:2, a:1, b:1
        assertThat(held).containsExactlyInAnyOrder("a", "b", "c", "c");
        assertThat(hold.triesLeft()).isPositive();
    }

    @Test
    void leastConnUsesBackupsOnlyWhenPrimariesCannot() {
        Balancer b = group(LeastConnBalancer::new, "a 1 max_conns=1", "z 1 backup").balancer();
        BalancerRequest r = new BalancerRequest(b.tries(), "127.0.0.1", null);
        assertThat(b.pick(r).name()).isEqualTo("a");
        assertThat(b.pick(new BalancerRequest(b.tries(), "127.0.0.1", null)).name()).isEqualTo("z");
    }

    @ParameterizedTest
    @CsvSource({"192.168.1.10, 192.168.1.200", "10.0.0.1, 10.0.0.254", "2001:db8::1, 2001:db8::1"})
    void ipHashKeepsAClientNetworkOnOneServer(String client, String sameNetwork) {
        Balancer b = group(IpHashBalancer::new, "a 1", "b 1", "c 1").balancer();
        List<String> seq = sequence(b, 5, client, null);
        assertThat(seq).containsOnly(seq.get(0));
        assertThat(sequence(b, 1, sameNetwork, null)).containsExactly(seq.get(0));
    }

    @Test
    void ipHashFollowsNginxsHashAndSpreadsNetworks() {
        Balancer b = group(IpHashBalancer::new, "a 1", "b 1", "c 1").balancer();
        // nginx: h = 89; for each of the first three octets h = (h*113 + o) % 6271; peer = h % total weight
        long h = 89;
        for (int o : new int[] {192, 168, 1}) {
            h = (h * 113 + o) % 6271;
        }
        assertThat(sequence(b, 1, "192.168.1.7", null)).containsExactly(new String[] {"a", "b", "c"}[(int) (h % 3)]);
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 300; i++) {
            counts.merge(sequence(b, 1, "10." + (i / 256) + "." + (i % 256) + ".1", null).get(0), 1, Integer::sum);
        }
        assertThat(counts).containsOnlyKeys("a", "b", "c");
        assertThat(counts.values()).allMatch(n -> n > 60);
    }

    @Test
    void ipHashMovesToAnotherServerWhenItsOwnIsDown() {
        Balancer up = group(IpHashBalancer::new, "a 1", "b 1", "c 1").balancer();
        String home = sequence(up, 1, "192.168.1.7", null).get(0);
        String[] lines = {"a 1", "b 1", "c 1"};
        for (int i = 0; i < 3; i++) {
            if (lines[i].startsWith(home)) {
                lines[i] += " down";
            }
        }
        List<String> moved = sequence(group(IpHashBalancer::new, lines).balancer(), 3, "192.168.1.7", null);
        assertThat(moved).doesNotContain(home).containsOnly(moved.get(0));
    }

    @Test
    void hashKeepsAKeyOnOneServerAndSpreadsKeysByWeight() {
        Balancer b = group(HashBalancer::new, "a 1", "b 3").balancer();
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 2000; i++) {
            String key = "/item/" + i;
            List<String> s = sequence(b, 2, "127.0.0.1", key);
            assertThat(s.get(0)).isEqualTo(s.get(1));
            counts.merge(s.get(0), 1, Integer::sum);
        }
        assertThat(counts.get("b")).isBetween(1300, 1700);
    }

    @Test
    void hashMatchesNginxsMemcachedCompatibleFormula() {
        Balancer b = group(HashBalancer::new, "a 1", "b 1", "c 1").balancer();
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update("hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        long h = (crc.getValue() >>> 16) & 0x7fff;
        assertThat(sequence(b, 1, "127.0.0.1", "hello")).containsExactly(new String[] {"a", "b", "c"}[(int) (h % 3)]);
    }

    @Test
    void emptyHashKeyFallsBackToRoundRobin() {
        Balancer b = group(HashBalancer::new, "a 1", "b 1").balancer();
        assertThat(sequence(b, 4, "127.0.0.1", "")).containsExactly("a", "b", "a", "b");
    }

    @Test
    void consistentHashMovesAboutOneNthOfTheKeysWhenAServerIsAdded() {
        Balancer three = group(ConsistentHashBalancer::new, "10.0.0.1:80 1", "10.0.0.2:80 1", "10.0.0.3:80 1").balancer();
        Balancer four = group(ConsistentHashBalancer::new, "10.0.0.1:80 1", "10.0.0.2:80 1", "10.0.0.3:80 1", "10.0.0.4:80 1")
            .balancer();
        int moved = 0;
        int toNew = 0;
        int n = 4000;
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < n; i++) {
            String key = "user" + i;
            String before = sequence(three, 1, "127.0.0.1", key).get(0);
            String after = sequence(four, 1, "127.0.0.1", key).get(0);
            counts.merge(after, 1, Integer::sum);
            if (!before.equals(after)) {
                moved++;
                toNew += after.equals("10.0.0.4:80") ? 1 : 0;
            }
        }
        assertThat(toNew).as("every moved key goes to the new server").isEqualTo(moved);
        assertThat((double) moved / n).isBetween(0.15, 0.35);
        assertThat(counts.values()).allMatch(c -> c > n / 8);
    }

    @Test
    void consistentHashRingIsKetamaCompatible() {
        // point 0 of "10.0.0.1:80" is crc32("10.0.0.1" "\0" "80" + four zero bytes)
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update("10.0.0.1\u000080\0\0\0\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        long point0 = crc.getValue();
        ConsistentHashBalancer b = (ConsistentHashBalancer) group(ConsistentHashBalancer::new, "10.0.0.1:80 1", "10.0.0.2:80 1")
            .balancer();
        assertThat(ConsistentHashBalancer.baseBytes("10.0.0.1:80")).isEqualTo("10.0.0.1\u000080".getBytes());
        assertThat(ConsistentHashBalancer.baseBytes("unix:/tmp/s")).isEqualTo("/tmp/s\u0000".getBytes());
        assertThat(b.findPoint(point0)).isLessThan(320);
        // a key whose crc32 equals that point lands on its server
        String key = null;
        for (int i = 0; key == null && i < 1_000_000; i++) {
            java.util.zip.CRC32 k = new java.util.zip.CRC32();
            k.update(("k" + i).getBytes());
            if (b.findPoint(k.getValue()) == b.findPoint(point0) && k.getValue() == point0) {
                key = "k" + i;
            }
        }
        assertThat(b.serverFor("anything")).isIn("10.0.0.1:80", "10.0.0.2:80");
    }

    @Test
    void consistentHashSkipsAnUnusableServerToTheNextPoint() {
        Balancer b = group(ConsistentHashBalancer::new, "x:1 1", "y:1 1 down", "z:1 1").balancer();
        for (int i = 0; i < 200; i++) {
            assertThat(sequence(b, 1, "127.0.0.1", "k" + i).get(0)).isNotEqualTo("y:1");
        }
    }

    @Test
    void randomFollowsWeights() {
        Balancer b = group(g -> new RandomBalancer(g, false), "a 1", "b 3").balancer();
        Map<String, Integer> counts = new HashMap<>();
        for (String s : sequence(b, 4000, "127.0.0.1", null)) {
            counts.merge(s, 1, Integer::sum);
        }
        assertThat(counts.get("b")).isBetween(2700, 3300);
    }

    @Test
    void randomTwoPicksTheLessLoadedOfTwoDraws() {
        Balancer b = group(g -> new RandomBalancer(g, true), "a 1", "b 1").balancer();
        // hold a connection on whichever comes first: with two servers, the other always wins the next pick
        Peer busy = b.pick(new BalancerRequest(b.tries(), "127.0.0.1", null));
        for (int i = 0; i < 50; i++) {
            BalancerRequest r = new BalancerRequest(b.tries(), "127.0.0.1", null);
            Peer p = b.pick(r);
            assertThat(p).isNotSameAs(busy);
            b.release(p, r, false);
        }
    }

    @Test
    void slowStartRampsARecoveredServersWeight() {
        UpstreamGroup g = group(RoundRobinBalancer::new, "a 10", "b 10");
        Peer a = g.primary().get(0).slowStart(60_000);
        a.state().recoveredMillis = System.currentTimeMillis();
        Map<String, Integer> counts = new HashMap<>();
        for (String s : sequence(g.balancer(), 110, "127.0.0.1", null)) {
            counts.merge(s, 1, Integer::sum);
        }
        // just recovered: weight 1 of 10 against b's 10
        assertThat(counts.get("a")).isBetween(5, 15);
        // half way through the period: about half its weight
        a.state().recoveredMillis = System.currentTimeMillis() - 30_000;
        counts.clear();
        for (String s : sequence(g.balancer(), 150, "127.0.0.1", null)) {
            counts.merge(s, 1, Integer::sum);
        }
        assertThat(counts.get("a")).isBetween(40, 60);
        // after the period: equal shares
        a.state().recoveredMillis = System.currentTimeMillis() - 61_000;
        counts.clear();
        for (String s : sequence(g.balancer(), 100, "127.0.0.1", null)) {
            counts.merge(s, 1, Integer::sum);
        }
        assertThat(counts.get("a")).isBetween(45, 55);
    }

    @Test
    void aPassivelyFailedServerRampsUpOnlyAfterFailTimeout() {
        UpstreamGroup g = group(RoundRobinBalancer::new, "a 1", "b 1");
        Peer a = g.primary().get(0).slowStart(30_000);
        Balancer b = g.balancer();
        BalancerRequest r = new BalancerRequest(b.tries(), "127.0.0.1", null);
        Peer first = b.pick(r);
        assertThat(first).isSameAs(a);
        assertThat(b.release(a, r, true)).isTrue();
        assertThat(a.state().recoveredMillis).isGreaterThanOrEqualTo(System.currentTimeMillis() + 9_000);
    }
}
