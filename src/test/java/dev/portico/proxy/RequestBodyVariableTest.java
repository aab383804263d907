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
 * {@code $request_body}: nginx documents that the value is made available in locations processed by
 * proxy_pass when the request body was read to a memory buffer; a body in a temporary file, a body
 * streamed unbuffered, or no body at all leaves it not found.
 */
class RequestBodyVariableTest {
    private static final String CONF = """
        events {}
        http {
            log_format body '$request_uri [$request_body]';
            access_log logs/body.log body;
            client_body_buffer_size 16;
            server {
                listen 127.0.0.1:8080;
                location /buffered { proxy_pass http://127.0.0.1:17081; proxy_set_header X-Body $request_body; }
                location /streamed { proxy_pass http://127.0.0.1:17081; proxy_request_buffering off; }
                location /wrapped { proxy_pass http://127.0.0.1:17081; proxy_set_body "wrapped:$request_body"; }
                location /kept { proxy_pass http://127.0.0.1:17081; proxy_pass_request_body off;
                                 proxy_set_header Content-Length ""; }
                location /return { return 200 "[$request_body]"; }
            }
        }
        """;

    private static String post(TestPortico p, String uri, String body) {
        try (RawHttp c = new RawHttp(p.port(8080))) {
            return c.send("POST " + uri + " HTTP/1.1\r\nHost: a\r\nContent-Length: " + body.length() + "\r\n\r\n" + body)
                .readResponse(false).bodyText();
        }
    }

    private static List<String> log(TestPortico p, int lines) {
        Await.until(Duration.ofSeconds(10), lines + " log lines",
            () -> p.readFile("logs/body.log").lines().count() >= lines);
        return p.readFile("logs/body.log").lines().toList();
    }

    @Test
    void aBodyReadIntoMemoryIsTheVariable() throws Exception {
        PortMap ports = new PortMap();
        try (Backend b = Backend.on(ports, 17081, ex -> ex.send(200, "ok"));
             TestPortico p = TestPortico.builder().ports(ports).conf(CONF).start()) {
            post(p, "/buffered", "a=1&b=2");
            Backend.Request r = b.take();
            assertThat(r.header("X-Body")).isEqualTo("a=1&b=2");
            assertThat(r.bodyText()).isEqualTo("a=1&b=2");
            assertThat(log(p, 1)).containsExactly("/buffered [a=1&b=2]");
        }
    }

    @Test
    void aBodyLargerThanTheBufferOrStreamedOrNotProxiedIsNotFound() throws Exception {
        PortMap ports = new PortMap();
        try (Backend b = Backend.on(ports, 17081, ex -> ex.send(200, "ok"));
             TestPortico p = TestPortico.builder().ports(ports).conf(CONF).start()) {
            post(p, "/buffered", "0123456789abcdefXYZ");
            assertThat(b.take().bodyText()).isEqualTo("0123456789abcdefXYZ");
            post(p, "/streamed", "abc");
            assertThat(b.take().bodyText()).isEqualTo("abc");
            assertThat(post(p, "/return", "abc")).isEqualTo("[]");
            assertThat(log(p, 3)).containsExactly("/buffered [-]", "/streamed [-]", "/return [-]");
        }
    }

    @Test
    void theBodyIsReadBeforeProxySetBodyIsEvaluatedAndSeenWhenNotPassed() throws Exception {
        PortMap ports = new PortMap();
        try (Backend b = Backend.on(ports, 17081, ex -> ex.send(200, "ok"));
             TestPortico p = TestPortico.builder().ports(ports).conf(CONF).start()) {
            post(p, "/wrapped", "abc");
            assertThat(b.take().bodyText()).isEqualTo("wrapped:abc");
            post(p, "/kept", "xyz");
            Backend.Request r = b.take();
            assertThat(r.body()).isEmpty();
            assertThat(log(p, 2)).containsExactly("/wrapped [abc]", "/kept [xyz]");
        }
    }
}
