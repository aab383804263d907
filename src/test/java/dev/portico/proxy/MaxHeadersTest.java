package dev.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portico.testing.PortMap;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** max_headers (nginx 1.29.8+, default 1000): a head with more header lines gets 400 and never reaches the backend. */
class MaxHeadersTest {
    private static Backend backend;
    private static TestPortico portico;

    @BeforeAll
    static void start() {
        PortMap ports = new PortMap();
        backend = Backend.on(ports, 18090, ex -> ex.send(200, "proxied\n"));
        portico = TestPortico.builder().ports(ports).conf("""
            events {}
            http {
                server { listen 127.0.0.1:18080; location / { proxy_pass http://127.0.0.1:18090; } }
                server { listen 127.0.0.1:18081; max_headers 10; location / { proxy_pass http://127.0.0.1:18090; } }
            }
            """).start();
    }

    @AfterAll
    static void stop() {
        portico.close();
        backend.close();
    }

    private static String head(int headers) {
        StringBuilder b = new StringBuilder("GET / HTTP/1.1\r\nHost: x\r\n");
        for (int i = 1; i < headers; i++) {
            b.append("X-").append(i).append(": a\r\n");
        }
        return b.append("\r\n").toString();
    }

    private static int status(int port, int headers) {
        try (RawHttp c = new RawHttp(portico.port(port))) {
            return c.send(head(headers)).readResponse(false).status();
        }
    }

    @Test
    void threeThousandSmallHeadersGet400AndAreNotProxied() {
        int before = backend.connections.get();
        // 3,000 short lines fit large_client_header_buffers (about 27 KB), so only max_headers stops them
        assertThat(status(18080, 3000)).isEqualTo(400);
        assertThat(backend.connections.get()).isEqualTo(before);
        assertThat(backend.requests).isEmpty();
    }

    @Test
    void theDefaultAllowsAThousandHeaderLines() {
        assertThat(status(18080, 1000)).isEqualTo(200);
        assertThat(status(18080, 1001)).isEqualTo(400);
        backend.requests.clear();
    }

    @Test
    void aServerMayLowerTheLimit() {
        assertThat(status(18081, 10)).isEqualTo(200);
        assertThat(status(18081, 11)).isEqualTo(400);
        backend.requests.clear();
    }

    @Test
    void theDirectiveStandsInHttpAndServerOnly() {
        assertThatThrownBy(() -> TestPortico.load("events {} http { server { location / { max_headers 5; } } }"))
            .hasMessageContaining("\"max_headers\" directive is not allowed here");
        assertThatThrownBy(() -> TestPortico.load("events {} http { max_headers many; }"))
            .hasMessageContaining("\"max_headers\" directive invalid number");
    }
}
