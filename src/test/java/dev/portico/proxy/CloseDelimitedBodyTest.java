package dev.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.PortMap;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A backend response with neither Content-Length nor chunked coding: as nginx (RFC 9112 6.3),
 * its body is everything up to the close of the connection. An HTTP/1.1 client gets it chunked
 * and keeps its connection; an HTTP/1.0 client gets it until Portico closes; the backend's
 * connection is never kept for another request.
 */
class CloseDelimitedBodyTest {
    private static final PortMap PORTS = new PortMap();
    private static final byte[] LARGE = new byte[300_000];
    private static Backend backend;
    private static TestPortico p;

    @BeforeAll
    static void start() {
        Arrays.fill(LARGE, (byte) 'x');
        backend = Backend.on(PORTS, 17081, ex -> {
            String version = ex.request.target().contains("v10") ? "HTTP/1.0" : "HTTP/1.1";
            ex.raw(version + " 200 OK\r\nContent-Type: text/plain\r\nConnection: keep-alive\r\n\r\n");
            if (!ex.request.method().equals("HEAD")) {
                if (ex.request.target().contains("large")) {
                    ex.raw(LARGE);
                } else {
                    ex.raw("first piece, ");
                    ex.raw("second piece");
                }
            }
            ex.close();
        });
        p = TestPortico.builder().ports(PORTS).conf("""
                events {}
                http {
                    upstream pool { server 127.0.0.1:17081; keepalive 4; }
                    server {
                        listen 127.0.0.1:8080;
                        location /buffered/ { proxy_pass http://pool/; }
                        location /unbuffered/ { proxy_pass http://pool/; proxy_buffering off; }
                        location /small/ { proxy_pass http://pool/; proxy_buffers 2 4k; proxy_busy_buffers_size 4k; }
                    }
                }
                """).start();
    }

    @AfterAll
    static void stop() {
        p.close();
        backend.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/buffered/", "/unbuffered/"})
    void anHttp11ClientGetsTheBodyChunkedAndKeepsItsConnection(String location) {
        int before = backend.connections.get();
        try (RawHttp c = new RawHttp(p.port(8080))) {
            for (String target : new String[] {"a", "v10"}) {
                RawHttp.Response r = c.send("GET " + location + target + " HTTP/1.1\r\nHost: front\r\n\r\n").readResponse(false);
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.header("Transfer-Encoding")).isEqualTo("chunked");
                assertThat(r.header("Content-Length")).isNull();
                assertThat(r.bodyText()).isEqualTo("first piece, second piece");
            }
        }
        // each response ended with its connection: none was taken from the pool again
        assertThat(backend.connections.get() - before).isEqualTo(2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/buffered/", "/unbuffered/"})
    void anHttp10ClientGetsTheBodyUntilTheClose(String location) {
        try (RawHttp c = new RawHttp(p.port(8080))) {
            String all = c.send("GET " + location + "a HTTP/1.0\r\n\r\n").readUntilClose(10_000);
            assertThat(all).startsWith("HTTP/1.1 200 OK\r\n").contains("\r\nConnection: close\r\n")
                .doesNotContain("Content-Length").doesNotContain("Transfer-Encoding")
                .endsWith("\r\n\r\nfirst piece, second piece");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/buffered/", "/unbuffered/", "/small/"})
    void aLargeBodyArrivesWhole(String location) {
        try (RawHttp c = new RawHttp(p.port(8080))) {
            RawHttp.Response r = c.send("GET " + location + "large HTTP/1.1\r\nHost: front\r\n\r\n").readResponse(false);
            assertThat(r.body()).hasSize(LARGE.length);
            assertThat(new String(r.body(), StandardCharsets.ISO_8859_1).chars().allMatch(ch -> ch == 'x')).isTrue();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/buffered/", "/unbuffered/"})
    void aHeadRequestGetsTheHeadOnly(String location) {
        try (RawHttp c = new RawHttp(p.port(8080))) {
            RawHttp.Response r = c.send("HEAD " + location + "a HTTP/1.1\r\nHost: front\r\n\r\n").readResponse(true);
            assertThat(r.status()).isEqualTo(200);
            RawHttp.Response next = c.send("GET " + location + "a HTTP/1.1\r\nHost: front\r\n\r\n").readResponse(false);
            assertThat(next.bodyText()).isEqualTo("first piece, second piece");
        }
    }
}
