package dev.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.PortMap;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The upstream connection cache: reuse, nginx 1.30's default, limits, and a cached connection that died. */
class KeepaliveTest {
    private static String conf(String upstreamExtra, String locations) {
        return "events {}\nhttp {\n upstream backend { server 127.0.0.1:17081; " + upstreamExtra + " }\n"
            + " server { listen 127.0.0.1:8080;\n" + locations + "\n }\n}\n";
    }

    private static final String ROOT = "location / { proxy_pass http://backend; }";

    private static int status(TestPortico p, String request) {
        try (RawHttp c = new RawHttp(p.port(8080))) {
            return c.send(request).readResponse(false).status();
        }
    }

    private static final String GET = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";

    private static void awaitTrue(java.util.function.BooleanSupplier cond) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met in time");
            }
            Thread.sleep(10);
        }
    }

    @Test
    void anUpstreamBlockReusesConnectionsByDefault() throws Exception {
        PortMap ports = new PortMap();
        try (Backend b = Backend.on(ports, 17081, ex -> ex.send(200, "ok"));
             TestPortico p = TestPortico.builder().ports(ports).conf(conf("", ROOT)).start()) {
            for (int i = 0; i < 5; i++) {
                assertThat(status(p, GET)).isEqualTo(200);
            }
            assertThat(b.connections.get()).isEqualTo(1);
        }
    }

    @Test
    void keepaliveZeroOpensAConnectionPerRequest() throws Exception {
        PortMap ports = new PortMap();
        try (Backend b = Backend.on(ports, 17081, ex -> ex.send(200, "ok"));
             TestPortico p = TestPortico.builder().ports(ports).conf(conf("keepalive 0;", ROOT)).start()) {
            for (int i = 0; i < 3; i++) {
                assertThat(status(p, GET)).isEqualTo(200);
            }
            assertThat(b.connections.get()).isEqualTo(3);
            awaitTrue(() -> b.closedConnections.get() == 3);
        }
    }

    @Test
    void aProxyPassAddressWithoutUpstreamBlockIsNotCached() throws Exception {
        PortMap ports = new PortMap();
        try (Backend b = Backend.on(ports, 17081, ex -> ex.send(200, "ok"));
             TestPortico p = TestPortico.builder().ports(ports)
                 .conf(conf("", "location / { proxy_pass http://127.0.0.1:17081; }")).start()) {
            assertThat(status(p, GET)).isEqualTo(200);
            assertThat(status(p, GET)).isEqualTo(200);
            assertThat(b.connections.get()).isEqualTo(2);
        }
    }

    @Test
    void localCachesAreNotSharedBetweenLocationsButAPlainKeepaliveIs() throws Exception {
        String two = "location /a { proxy_pass http://backend; }\nlocation /b { proxy_pass http://backend; }";
        PortMap ports = new PortMap();
        try (Backend b = Backend.on(ports, 17081, ex -> ex.send(200, "ok"));
             TestPortico p = TestPortico.builder().ports(ports).conf(conf("", two)).start()) {
            assertThat(status(p, "GET /a HTTP/1.1\r\nHost: a\r\n\r\n")).isEqualTo(200);
            assertThat(status(p, "GET /b HTTP/1.1\r\nHost: a\r\n\r\n")).isEqualTo(200);
            assertThat(status(p, "GET /a HTTP/1.1\r\nHost: a\r\n\r\n")).isEqualTo(200);
            assertThat(b.connections.get()).isEqualTo(2);
        }
        PortMap ports2 = new PortMap();
        try (Backend b = Backend.on(ports2, 17081, ex -> ex.send(200, "ok"));
             TestPortico p = TestPortico.builder().ports(ports2).conf(conf("keepalive 8;", two)).start()) {
            assertThat(status(p, "GET /a HTTP/1.1\r\nHost: a\r\n\r\n")).isEqualTo(200);
            assertThat(status(p, "GET /b HTTP/1.1\r\nHost: a\r\n\r\n")).isEqualTo(200);
            assertThat(b.connections.get()).isEqualTo(1);
        }
    }

    @Test
    void keepaliveRequestsLimitsRequestsPerConnection() throws Exception {
        PortMap ports = new PortMap();
        try (Backend b = Backend.on(ports, 17081, ex -> ex.send(200, "ok"));
             TestPortico p = TestPortico.builder().ports(ports).conf(conf("keepalive_requests 2;", ROOT)).start()) {
            for (int i = 0; i < 5; i++) {
                assertThat(status(p, GET)).isEqualTo(200);
            }
            assertThat(b.connections.get()).isEqualTo(3);
        }
    }

    @Test
    void idleCachedConnectionsAreClosedAfterKeepaliveTimeout() throws Exception {
        PortMap ports = new PortMap();
        try (Backend b = Backend.on(ports, 17081, ex -> ex.send(200, "ok"));
             TestPortico p = TestPortico.builder().ports(ports).conf(conf("keepalive_timeout 300ms;", ROOT)).start()) {
            long t0 = System.nanoTime();
            assertThat(status(p, GET)).isEqualTo(200);
            awaitTrue(() -> b.closedConnections.get() == 1);
            assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThanOrEqualTo(250);
        }
    }

    @Test
    void aConnectionTheBackendClosesWhileCachedIsNotUsed() throws Exception {
        PortMap ports = new PortMap();
        try (Backend b = Backend.on(ports, 17081, ex -> ex.send(200, "ok"));
             TestPortico p = TestPortico.builder().ports(ports).conf(conf("", ROOT)).start()) {
            assertThat(status(p, GET)).isEqualTo(200);
            b.dropConnections();
            awaitTrue(() -> b.closedConnections.get() == 1);
            assertThat(status(p, GET)).isEqualTo(200);
            assertThat(b.connections.get()).isEqualTo(2);
        }
    }

    @Test
    void aRequestFailingOnACachedConnectionIsRetriedOnceOnAFreshOne() throws Exception {
        PortMap ports = new PortMap();
        AtomicInteger n = new AtomicInteger();
        try (Backend b = Backend.on(ports, 17081, ex -> {
                // the second request arrives on the cached connection: the backend "had just closed" it
                if (n.incrementAndGet() == 2) {
                    ex.close();
                } else {
                    ex.send(200, "ok");
                }
            });
             TestPortico p = TestPortico.builder().ports(ports).conf(conf("", ROOT)).start()) {
            assertThat(status(p, GET)).isEqualTo(200);
            assertThat(status(p, GET)).isEqualTo(200);
            assertThat(b.connections.get()).isEqualTo(2);
            assertThat(n.get()).isEqualTo(3);
        }
    }

    @Test
    void aPostFailingOnACachedConnectionIsNotRetried() throws Exception {
        PortMap ports = new PortMap();
        AtomicInteger n = new AtomicInteger();
        try (Backend b = Backend.on(ports, 17081, ex -> {
                if (n.incrementAndGet() == 2) {
                    ex.close();
                } else {
                    ex.send(200, "ok");
                }
            });
             TestPortico p = TestPortico.builder().ports(ports).conf(conf("", ROOT)).start()) {
            assertThat(status(p, GET)).isEqualTo(200);
            assertThat(status(p, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi")).isEqualTo(502);
            assertThat(n.get()).isEqualTo(2);
        }
    }

    @Test
    void connectionCloseFromTheBackendOrHttp10PreventsReuse() throws Exception {
        PortMap ports = new PortMap();
        AtomicInteger n = new AtomicInteger();
        try (Backend b = Backend.on(ports, 17081, ex -> {
                if (n.incrementAndGet() == 1) {
                    ex.send(200, "ok", "Connection: close");
                } else {
                    ex.raw("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok");
                }
            });
             TestPortico p = TestPortico.builder().ports(ports).conf(conf("", ROOT)).start()) {
            assertThat(status(p, GET)).isEqualTo(200);
            assertThat(status(p, GET)).isEqualTo(200);
            assertThat(status(p, GET)).isEqualTo(200);
            assertThat(b.connections.get()).isEqualTo(3);
        }
    }

    @Test
    void aResponseNotReadToTheEndIsNotReused() throws Exception {
        PortMap ports = new PortMap();
        AtomicInteger n = new AtomicInteger();
        try (Backend b = Backend.on(ports, 17081, ex -> {
                if (n.incrementAndGet() == 1) {
                    ex.raw("HTTP/1.1 200 OK\r\nContent-Length: 10000000\r\n\r\n");
                    byte[] chunk = new byte[65536];
                    for (int i = 0; i < 152; i++) {
                        ex.raw(chunk);
                    }
                } else {
                    ex.send(200, "ok");
                }
            });
             TestPortico p = TestPortico.builder().ports(ports).conf(conf("", ROOT)).start()) {
            try (RawHttp c = new RawHttp(p.port(8080))) {
                c.send(GET);
                c.socket().getInputStream().read(new byte[100]);
            }
            awaitTrue(() -> b.closedConnections.get() == 1);
            assertThat(status(p, GET)).isEqualTo(200);
            assertThat(b.connections.get()).isEqualTo(2);
        }
    }
}
