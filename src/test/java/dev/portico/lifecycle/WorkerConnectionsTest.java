package dev.portico.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.Await;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** events { worker_connections N; }: a cap on open connections per event loop, with an alert when reached. */
class WorkerConnectionsTest {
    @Test
    void aConnectionOverTheCapIsClosedWithAnAlert() {
        String conf = """
            worker_processes 1;
            events { worker_connections 2; }
            http { server { listen 127.0.0.1:18080; return 200 "ok\\n"; } }
            """;
        try (TestPortico p = TestPortico.start(conf);
             RawHttp a = new RawHttp(p.port(18080));
             RawHttp b = new RawHttp(p.port(18080))) {
            Await.until(Duration.ofSeconds(10), "two open connections", () -> p.server().openConnections() == 2);
            try (RawHttp c = new RawHttp(p.port(18080))) {
                assertThat(c.closedByServer(5000)).isTrue();
            }
            assertThat(p.errorLog()).containsPattern("\\[alert\\] \\d+#\\d+: 2 worker_connections are not enough");
            // the two within the cap are served
            assertThat(a.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").readResponse(false).status()).isEqualTo(200);
            assertThat(b.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").readResponse(false).status()).isEqualTo(200);
        }
    }
}
