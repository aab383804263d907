package dev.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.Await;
import dev.portico.testing.PortMap;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Trailer fields: nginx 1.27.2+ passes a backend's trailers to the client only with
 * {@code proxy_pass_trailers on} (less the fields proxy_hide_header and the default hidden set keep
 * back), {@code add_trailer} adds its own, and {@code $sent_trailer_NAME} reads what the response
 * ended with.
 */
class TrailersTest {
    private static final String CONF = """
        events {}
        http {
            log_format t '$uri $sent_trailer_x_checksum|$sent_trailer_x_added|$upstream_trailer_x_checksum';
            access_log logs/t.log t;
            server {
                listen 127.0.0.1:8080;
                location /pass { proxy_pass http://127.0.0.1:17081; proxy_pass_trailers on; proxy_hide_header X-Hide;
                                 add_trailer X-Added "sent"; }
                location /off { proxy_pass http://127.0.0.1:17081; }
            }
        }
        """;

    private static final String CHUNKED = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Checksum\r\n\r\n"
        + "5\r\nhello\r\n0\r\nX-Checksum: abc\r\nServer: backend\r\nX-Hide: h\r\n\r\n";

    private static String get(TestPortico p, String uri) {
        try (RawHttp c = new RawHttp(p.port(8080))) {
            return c.send("GET " + uri + " HTTP/1.1\r\nHost: a\r\nTE: trailers\r\nConnection: close\r\n\r\n").readUntilClose(10_000);
        }
    }

    private static List<String> log(TestPortico p, int lines) {
        Await.until(Duration.ofSeconds(10), lines + " log lines", () -> p.readFile("logs/t.log").lines().count() >= lines);
        return p.readFile("logs/t.log").lines().toList();
    }

    @Test
    void proxyPassTrailersRelaysTheBackendsTrailersLessTheHiddenOnes() throws Exception {
        PortMap ports = new PortMap();
        try (Backend b = Backend.on(ports, 17081, ex -> ex.raw(CHUNKED));
             TestPortico p = TestPortico.builder().ports(ports).conf(CONF).start()) {
            String r = get(p, "/pass");
            assertThat(r).startsWith("HTTP/1.1 200 OK\r\n").contains("Transfer-Encoding: chunked\r\n");
            String trailer = r.substring(r.indexOf("\r\n0\r\n") + 5);
            assertThat(trailer).isEqualTo("X-Checksum: abc\r\nX-Added: sent\r\n\r\n");
            assertThat(log(p, 1)).containsExactly("/pass abc|sent|abc");
        }
    }

    @Test
    void withoutProxyPassTrailersTheBackendsTrailersStayBehind() throws Exception {
        PortMap ports = new PortMap();
        try (Backend b = Backend.on(ports, 17081, ex -> ex.raw(CHUNKED));
             TestPortico p = TestPortico.builder().ports(ports).conf(CONF).start()) {
            String r = get(p, "/off");
            assertThat(r).endsWith("5\r\nhello\r\n0\r\n\r\n");
            assertThat(log(p, 1)).containsExactly("/off -|-|abc");
        }
    }
}
