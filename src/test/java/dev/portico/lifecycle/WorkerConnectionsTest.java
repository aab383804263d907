package dev.portico.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.Await;
import dev.portico.testing.PortMap;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * events { worker_connections N; }: a cap on open connections per event loop. As nginx, idle
 * connections are closed to make room for new clients ("reusing connections"); a client is
 * refused only when every connection is busy, and that alert is written at most once a second.
 */
class WorkerConnectionsTest {
    private static final String GET = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";

    private static String conf(int cap) {
        return """
            worker_processes 1;
            events { worker_connections %d; }
            error_log logs/error.log warn;
            http { server { listen 127.0.0.1:18080;
                location / { return 200 "ok\\n"; }
                location /hold { proxy_pass http://127.0.0.1:18081; }
            } }
            """.formatted(cap);
    }

    @Test
    void aConnectionOverTheCapIsClosedWithAnAlertWhenAllAreBusy() {
        PortMap ports = new PortMap();
        try (HoldingBackend backend = new HoldingBackend(ports.get(18081));
             TestPortico p = TestPortico.builder().ports(ports).conf(conf(2)).start();
             RawHttp a = new RawHttp(p.port(18080));
             RawHttp b = new RawHttp(p.port(18080))) {
            a.send("GET /hold HTTP/1.1\r\nHost: x\r\n\r\n");
            b.send("GET /hold HTTP/1.1\r\nHost: x\r\n\r\n");
            Await.until(Duration.ofSeconds(10), "two requests at the backend", () -> backend.accepted() == 2);
            try (RawHttp c = new RawHttp(p.port(18080))) {
                assertThat(c.closedByServer(5000)).isTrue();
            }
            assertThat(p.errorLog()).containsPattern("\\[alert\\] \\d+#\\d+: 2 worker_connections are not enough");
        }
    }

    @Test
    void idleKeepAliveConnectionsAreClosedToServeNewClients() {
        try (TestPortico p = TestPortico.start(conf(4))) {
            List<RawHttp> idle = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                RawHttp c = new RawHttp(p.port(18080));
                assertThat(c.send(GET).readResponse(false).status()).isEqualTo(200);
                idle.add(c);
            }
            try (RawHttp fresh = new RawHttp(p.port(18080))) {
                assertThat(fresh.send(GET).readResponse(false).status()).isEqualTo(200);
            }
            // the oldest idle connection made room (nginx reuses the least recently used first)
            assertThat(idle.get(0).closedByServer(5000)).isTrue();
            assertThat(idle.get(3).send(GET).readResponse(false).status()).isEqualTo(200);
            assertThat(p.errorLog())
                .containsPattern("\\[warn\\] \\d+#\\d+: 4 worker_connections are not enough, reusing connections")
                .doesNotContain("[alert]");
            idle.forEach(RawHttp::close);
        }
    }

    @Test
    void keepAliveConnectionsGoBeforeConnectionsWaitingForARequest() {
        try (TestPortico p = TestPortico.start(conf(2));
             RawHttp waiting = new RawHttp(p.port(18080));
             RawHttp keepAlive = new RawHttp(p.port(18080))) {
            assertThat(keepAlive.send(GET).readResponse(false).status()).isEqualTo(200);
            try (RawHttp fresh = new RawHttp(p.port(18080))) {
                assertThat(keepAlive.closedByServer(5000)).isTrue();
                assertThat(waiting.send(GET).readResponse(false).status()).isEqualTo(200);
                assertThat(fresh.send(GET).readResponse(false).status()).isEqualTo(200);
            }
        }
    }

    @Test
    void connectionsStillWaitingForARequestHeadAreReusedWhenNoneIsIdle() {
        try (TestPortico p = TestPortico.start(conf(2));
             RawHttp silent = new RawHttp(p.port(18080));
             RawHttp partial = new RawHttp(p.port(18080))) {
            partial.send("GET / HTTP/1.1\r\nHost: x\r\n");
            Await.until(Duration.ofSeconds(10), "two open connections", () -> p.server().openConnections() == 2);
            try (RawHttp first = new RawHttp(p.port(18080))) {
                // the one that never sent a byte goes before the one holding part of a head
                assertThat(silent.closedByServer(5000)).isTrue();
                assertThat(first.send(GET).readResponse(false).status()).isEqualTo(200);
            }
            Await.until(Duration.ofSeconds(10), "the first new client gone", () -> p.server().openConnections() == 1);
            try (RawHttp partial2 = new RawHttp(p.port(18080))) {
                partial2.send("GET / HTTP/1.1\r\n");
                Await.until(Duration.ofSeconds(10), "two partial heads", () -> p.server().openConnections() == 2);
                try (RawHttp third = new RawHttp(p.port(18080))) {
                    // with nothing idle, the oldest unfinished head makes room (nginx would refuse the client)
                    assertThat(partial.closedByServer(5000)).isTrue();
                    assertThat(third.send(GET).readResponse(false).status()).isEqualTo(200);
                }
            }
        }
    }

    @Test
    void aFloodOfSilentConnectionsDoesNotLockOutNewClients() {
        try (TestPortico p = TestPortico.start(conf(32))) {
            List<RawHttp> flood = new ArrayList<>();
            try {
                long start = System.nanoTime();
                for (int i = 0; i < 500; i++) {
                    flood.add(new RawHttp(p.port(18080)));
                }
                try (RawHttp client = new RawHttp(p.port(18080))) {
                    assertThat(client.send(GET).readResponse(false).status()).isEqualTo(200);
                }
                long seconds = (System.nanoTime() - start) / 1_000_000_000L;
                assertThat(p.server().openConnections()).isLessThanOrEqualTo(32);
                String log = p.errorLog();
                assertThat(log).doesNotContain("[alert]");
                int warnings = log.split("reusing connections", -1).length - 1;
                assertThat(warnings).isBetween(1, (int) seconds + 2);
            } finally {
                flood.forEach(RawHttp::close);
            }
        }
    }

    @Test
    void aFloodOfRefusedConnectionsWritesAtMostOneAlertASecond() {
        PortMap ports = new PortMap();
        try (HoldingBackend backend = new HoldingBackend(ports.get(18081));
             TestPortico p = TestPortico.builder().ports(ports).conf(conf(2)).start();
             RawHttp a = new RawHttp(p.port(18080));
             RawHttp b = new RawHttp(p.port(18080))) {
            a.send("GET /hold HTTP/1.1\r\nHost: x\r\n\r\n");
            b.send("GET /hold HTTP/1.1\r\nHost: x\r\n\r\n");
            Await.until(Duration.ofSeconds(10), "two requests at the backend", () -> backend.accepted() == 2);
            long start = System.nanoTime();
            for (int i = 0; i < 300; i++) {
                try (RawHttp c = new RawHttp(p.port(18080))) {
                    assertThat(c.closedByServer(5000)).isTrue();
                }
            }
            long seconds = (System.nanoTime() - start) / 1_000_000_000L;
            Matcher m = Pattern.compile("worker_connections are not enough\n").matcher(p.errorLog());
            int alerts = 0;
            while (m.find()) {
                alerts++;
            }
            // one per second that passed, plus the partial seconds at both ends
            assertThat(alerts).isBetween(1, (int) seconds + 2);
        }
    }

    /** A backend that accepts connections and never answers, so that requests to it stay in progress. */
    private static final class HoldingBackend implements AutoCloseable {
        private final ServerSocket server;
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();

        HoldingBackend(int port) {
            try {
                server = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Thread t = new Thread(() -> {
                try {
                    while (true) {
                        sockets.add(server.accept());
                    }
                } catch (IOException e) {
                    // closed
                }
            }, "holding-backend");
            t.setDaemon(true);
            t.start();
        }

        int accepted() {
            return sockets.size();
        }

        @Override
        public void close() {
            try {
                server.close();
                for (Socket s : sockets) {
                    s.close();
                }
            } catch (IOException e) {
                // closing a test backend
            }
        }
    }
}
