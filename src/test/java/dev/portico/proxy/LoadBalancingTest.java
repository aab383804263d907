package dev.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portico.config.ConfigException;
import dev.portico.testing.PortMap;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The balancing methods through real backends: which backend answers each request. */
class LoadBalancingTest {
    private final PortMap ports = new PortMap();
    /** Peer state lives by group and server name for the whole JVM (it survives reloads): a fresh name per test. */
    private final String group = "g" + System.nanoTime();
    private final List<Backend> backends = new ArrayList<>();

    @AfterEach
    void closeBackends() {
        for (Backend b : backends) {
            b.close();
        }
    }

    private void namedBackends(int... originals) {
        for (int port : originals) {
            String name = Integer.toString(port);
            backends.add(Backend.on(ports, port, ex -> ex.send(200, name)));
        }
    }

    private TestPortico portico(String upstreamBody) {
        return TestPortico.builder().ports(ports).conf("events {}\nhttp {\n upstream " + group + " { " + upstreamBody + " keepalive 0; }\n"
            + " server { listen 127.0.0.1:8080; location / { proxy_pass http://" + group + "; } }\n}\n").start();
    }

    private static String get(RawHttp c, String target) throws Exception {
        RawHttp.Response r = c.send("GET " + target + " HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false);
        return r.status() == 200 ? r.bodyText() : Integer.toString(r.status());
    }

    @Test
    void hashKeySendsTheSameKeyToTheSameBackend() throws Exception {
        namedBackends(17081, 17082, 17083);
        try (TestPortico p = portico("hash $arg_user; server 127.0.0.1:17081; server 127.0.0.1:17082; server 127.0.0.1:17083;");
             RawHttp c = new RawHttp(p.port(8080))) {
            Map<String, String> home = new HashMap<>();
            for (int round = 0; round < 2; round++) {
                for (int u = 0; u < 30; u++) {
                    String b = get(c, "/?user=u" + u);
                    assertThat(home.computeIfAbsent("u" + u, k -> b)).isEqualTo(b);
                }
            }
            assertThat(home.values()).contains("17081", "17082", "17083");
        }
    }

    @Test
    void consistentHashKeepsKeysWhenAServerIsAddedByReload() throws Exception {
        namedBackends(17081, 17082, 17083, 17084);
        String three = "hash $uri consistent; server 127.0.0.1:17081; server 127.0.0.1:17082; server 127.0.0.1:17083;";
        try (TestPortico p = portico(three); RawHttp c = new RawHttp(p.port(8080))) {
            Map<String, String> before = new HashMap<>();
            for (int i = 0; i < 60; i++) {
                before.put("/k" + i, get(c, "/k" + i));
            }
            p.reload("events {}\nhttp {\n upstream " + group + " { " + three + " server 127.0.0.1:17084; keepalive 0; }\n"
                + " server { listen 127.0.0.1:8080; location / { proxy_pass http://" + group + "; } }\n}\n");
            int moved = 0;
            try (RawHttp c2 = new RawHttp(p.port(8080))) {
                for (Map.Entry<String, String> e : before.entrySet()) {
                    String now = get(c2, e.getKey());
                    if (!now.equals(e.getValue())) {
                        moved++;
                        assertThat(now).as("a moved key goes to the new server").isEqualTo("17084");
                    }
                }
            }
            assertThat(moved).isBetween(3, 30);
        }
    }

    @Test
    void ipHashKeepsAClientOnOneBackend() throws Exception {
        namedBackends(17081, 17082, 17083);
        try (TestPortico p = portico("ip_hash; server 127.0.0.1:17081; server 127.0.0.1:17082; server 127.0.0.1:17083;");
             RawHttp c = new RawHttp(p.port(8080))) {
            String first = get(c, "/");
            for (int i = 0; i < 5; i++) {
                assertThat(get(c, "/")).isEqualTo(first);
            }
        }
    }

    @Test
    void leastConnSendsNewRequestsAwayFromABusyBackend() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch slowStarted = new CountDownLatch(1);
        backends.add(Backend.on(ports, 17081, ex -> {
            if (ex.request.target().equals("/slow")) {
                slowStarted.countDown();
                release.await(10, TimeUnit.SECONDS);
            }
            ex.send(200, "17081");
        }));
        namedBackends(17082);
        try (TestPortico p = portico("least_conn; server 127.0.0.1:17081; server 127.0.0.1:17082;");
             RawHttp slow = new RawHttp(p.port(8080)); RawHttp c = new RawHttp(p.port(8080))) {
            // the first pick in an idle group goes to 17081 (round robin among the tie)
            slow.send("GET /slow HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(slowStarted.await(5, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < 4; i++) {
                assertThat(get(c, "/fast")).isEqualTo("17082");
            }
            release.countDown();
            assertThat(slow.readResponse(false).bodyText()).isEqualTo("17081");
        }
    }

    @Test
    void randomSpreadsRequestsOverEveryBackend() throws Exception {
        namedBackends(17081, 17082);
        try (TestPortico p = portico("random two least_conn; server 127.0.0.1:17081; server 127.0.0.1:17082;");
             RawHttp c = new RawHttp(p.port(8080))) {
            Map<String, Integer> counts = new HashMap<>();
            for (int i = 0; i < 40; i++) {
                counts.merge(get(c, "/"), 1, Integer::sum);
            }
            assertThat(counts).containsOnlyKeys("17081", "17082");
        }
    }

    @Test
    void hashMovesOnFromARefusingBackend() throws Exception {
        namedBackends(17082);
        try (TestPortico p = portico("hash $uri; server 127.0.0.1:17081; server 127.0.0.1:17082;");
             RawHttp c = new RawHttp(p.port(8080))) {
            for (int i = 0; i < 6; i++) {
                assertThat(get(c, "/k" + i)).isEqualTo("17082");
            }
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "hash $uri; server 127.0.0.1:1 backup;|balancing method does not support parameter \"backup\"",
        "server 127.0.0.1:1 backup; ip_hash;|balancing method does not support parameter \"backup\"",
        "random two; random three;|invalid parameter \"three\"",
        "hash $uri inconsistent; server 127.0.0.1:1;|invalid parameter \"inconsistent\"",
        "random two most_conn; server 127.0.0.1:1;|invalid parameter \"most_conn\"",
        "least_conn x; server 127.0.0.1:1;|invalid number of arguments in \"least_conn\" directive",
        "ip_hash; server 127.0.0.1:1 slow_start=10s;|balancing method does not support parameter \"slow_start=10s\"",
        "server 127.0.0.1:1 slow_start=10s; hash $uri;|balancing method does not support parameter \"slow_start\"",
        "server 127.0.0.1:1 slow_start=soon;|invalid parameter \"slow_start=soon\"",
    })
    void badMethodLinesAreRefused(String body, String message) {
        assertThatThrownBy(() -> TestPortico.load("events {}\nhttp { upstream u { " + body + " } }\n"))
            .isInstanceOf(ConfigException.class).hasMessageContaining(message);
    }

    @Test
    void methodsAndZoneAreAccepted() throws Exception {
        for (String m : new String[] {"least_conn;", "ip_hash;", "hash $request_uri consistent;", "random;", "random two;",
            "zone backend 64k;", "zone backend;",
            "least_conn; server 127.0.0.1:3 slow_start=30s;"}) {
            TestPortico.load("events {}\nhttp { upstream u { " + m + " server 127.0.0.1:1; server 127.0.0.1:2; } }\n");
        }
    }
}
