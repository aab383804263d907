package dev.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.http.Exchange;
import dev.portico.testing.PortMap;
import dev.portico.testing.ProbeModule;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import dev.portico.variables.Template;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** The $upstream_* variables as the log phase sees them, one value per attempt as nginx lists them. */
class UpstreamVariablesTest {
    private static final Map<String, Exchange> ENDED = new ConcurrentHashMap<>();

    private static final ProbeModule CAPTURE = ProbeModule.onEnd(ex -> {
        String id = ex.requestHeaders().get("X-Capture-Id");
        if (id != null) {
            ENDED.put(id, ex);
        }
    });

    private static String value(TestPortico p, String id, String template) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!ENDED.containsKey(id) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        Exchange ex = ENDED.get(id);
        assertThat(ex).as("exchange " + id + " ended").isNotNull();
        return Template.compile(template, dev.portico.variables.Variables.of(p.server().snapshot().build())).render(ex);
    }

    @Test
    void aSuccessfulAttemptFillsEveryVariable() throws Exception {
        PortMap ports = new PortMap();
        try (Backend b = Backend.on(ports, 17081, ex -> ex.send(200, "twelve bytes", "X-Custom: yes", "Set-Cookie: sid=abc; Path=/", "Server: backend/1"));
             TestPortico p = TestPortico.builder().ports(ports).modules(CAPTURE).conf("events {}\nhttp { server { listen 127.0.0.1:8080; "
                 + "location / { proxy_pass http://127.0.0.1:17081; } } }\n").start();
             RawHttp c = new RawHttp(p.port(8080))) {
            c.send("GET / HTTP/1.1\r\nHost: a\r\nX-Capture-Id: ok1\r\n\r\n").readResponse(false);
            String port = Integer.toString(ports.get(17081));
            assertThat(value(p, "ok1", "$upstream_addr")).isEqualTo("127.0.0.1:" + port);
            assertThat(value(p, "ok1", "$upstream_status")).isEqualTo("200");
            assertThat(value(p, "ok1", "$upstream_connect_time")).matches("\\d+\\.\\d{3}");
            assertThat(value(p, "ok1", "$upstream_header_time")).matches("\\d+\\.\\d{3}");
            assertThat(value(p, "ok1", "$upstream_response_time")).matches("\\d+\\.\\d{3}");
            assertThat(value(p, "ok1", "$upstream_response_length")).isEqualTo("12");
            assertThat(Long.parseLong(value(p, "ok1", "$upstream_bytes_received"))).isGreaterThan(12);
            assertThat(Long.parseLong(value(p, "ok1", "$upstream_bytes_sent"))).isGreaterThan(20);
            assertThat(value(p, "ok1", "$upstream_http_x_custom")).isEqualTo("yes");
            assertThat(value(p, "ok1", "$upstream_cookie_sid")).isEqualTo("abc");
            // hidden from the client, still known to the log
            assertThat(value(p, "ok1", "$upstream_http_server")).isEqualTo("backend/1");
            assertThat(value(p, "ok1", "$sent_http_server")).startsWith("portico");
            assertThat(value(p, "ok1", "$proxy_host|$proxy_port")).isEqualTo("127.0.0.1:" + port + "|" + port);
        }
    }

    @Test
    void aFailedAttemptAndTheNextAreListedInOrder() throws Exception {
        PortMap ports = new PortMap();
        int dead = ports.get(17082);
        try (Backend b = Backend.on(ports, 17081, ex -> ex.send(200, "ok"));
             TestPortico p = TestPortico.builder().ports(ports).modules(CAPTURE).conf("events {}\nhttp {\n upstream backend {"
                 + " server 127.0.0.1:17082; server 127.0.0.1:17081; }\n server { listen 127.0.0.1:8080; "
                 + "location / { proxy_pass http://backend; } } }\n").start();
             RawHttp c = new RawHttp(p.port(8080))) {
            RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: a\r\nX-Capture-Id: two\r\n\r\n").readResponse(false);
            assertThat(r.status()).isEqualTo(200);
            String alive = Integer.toString(ports.get(17081));
            assertThat(value(p, "two", "$upstream_addr")).isEqualTo("127.0.0.1:" + dead + ", 127.0.0.1:" + alive);
            assertThat(value(p, "two", "$upstream_status")).isEqualTo("502, 200");
            assertThat(value(p, "two", "$upstream_header_time")).matches("-, \\d+\\.\\d{3}");
            // the failed server is now skipped (max_fails=1, fail_timeout=10s)
            c.send("GET / HTTP/1.1\r\nHost: a\r\nX-Capture-Id: three\r\n\r\n").readResponse(false);
            assertThat(value(p, "three", "$upstream_addr")).isEqualTo("127.0.0.1:" + alive);
        }
    }

    @Test
    void whenNoServerIsLeftTheGroupNameIsShown() throws Exception {
        PortMap ports = new PortMap();
        ports.get(17081);
        try (TestPortico p = TestPortico.builder().ports(ports).modules(CAPTURE).conf("events {}\nhttp {\n upstream backend {"
                 + " server 127.0.0.1:17081 down; server 127.0.0.1:17082 down; }\n server { listen 127.0.0.1:8080; "
                 + "location / { proxy_pass http://backend; } } }\n").start();
             RawHttp c = new RawHttp(p.port(8080))) {
            RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: a\r\nX-Capture-Id: none\r\n\r\n").readResponse(false);
            assertThat(r.status()).isEqualTo(502);
            assertThat(value(p, "none", "$upstream_addr|$upstream_status")).isEqualTo("backend|502");
            assertThat(p.errorLog()).contains("no live upstreams while connecting to upstream");
        }
    }

    /** nginx's ngx_http_parse_set_cookie_lines: the first pair of each Set-Cookie field, raw. */
    @Test
    void upstreamCookieReadsTheFirstPairOfEachSetCookieAsNginxDoes() throws Exception {
        PortMap ports = new PortMap();
        try (Backend b = Backend.on(ports, 17081, ex -> ex.send(200, "ok", "Set-Cookie: a=1, b=2; Path=/",
                 "Set-Cookie: c = \"q v\" ; HttpOnly", "Set-Cookie: D=x", "Set-Cookie: e\t=1", "Set-Cookie: ff=9",
                 "Set-Cookie: a=second"));
             TestPortico p = TestPortico.builder().ports(ports).modules(CAPTURE).conf("events {}\nhttp { server { listen 127.0.0.1:8080; "
                 + "location / { proxy_pass http://127.0.0.1:17081; } } }\n").start();
             RawHttp c = new RawHttp(p.port(8080))) {
            c.send("GET / HTTP/1.1\r\nHost: a\r\nX-Capture-Id: cookies\r\n\r\n").readResponse(false);
            // a comma does not separate pairs in Set-Cookie; the first field that matches wins
            assertThat(value(p, "cookies", "[$upstream_cookie_a]")).isEqualTo("[1, b=2]");
            assertThat(value(p, "cookies", "[$upstream_cookie_b]")).isEqualTo("[]");
            // spaces around "=" are skipped, quotes and the space before ";" are kept
            assertThat(value(p, "cookies", "[$upstream_cookie_c]")).isEqualTo("[\"q v\" ]");
            assertThat(value(p, "cookies", "[$upstream_cookie_d]")).isEqualTo("[x]");
            // a tab is not a space, and a name must match whole
            assertThat(value(p, "cookies", "[$upstream_cookie_e]")).isEqualTo("[]");
            assertThat(value(p, "cookies", "[$upstream_cookie_f]")).isEqualTo("[]");
        }
    }

    @Test
    void connectionTimeCountsFromTheConnectionsStartInMilliseconds() throws Exception {
        try (TestPortico p = TestPortico.start("events {}\nhttp { server { listen 127.0.0.1:8080; "
                 + "location / { return 200 \"$connection_time\"; } } }\n");
             RawHttp c = new RawHttp(p.port(8080))) {
            String first = c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false).bodyText();
            String second = c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false).bodyText();
            assertThat(first).matches("\\d+\\.\\d{3}");
            assertThat(second).matches("\\d+\\.\\d{3}");
            // the same connection: the second request sees at least the time the first saw
            assertThat(Double.parseDouble(second)).isGreaterThanOrEqualTo(Double.parseDouble(first));
        }
    }
}
