package dev.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.PortMap;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import org.junit.jupiter.api.Test;

class ProxyBasicsTest {
    @Test
    void getIsRelayedWithBackendStatusHeadersAndBody() throws Exception {
        PortMap ports = new PortMap();
        try (Backend b = Backend.on(ports, 17081, ex -> ex.send(200, "hello from backend", "Content-Type: text/plain", "X-Custom: yes"))) {
            String conf = "events {}\nhttp { server { listen 127.0.0.1:8080; location / { proxy_pass http://127.0.0.1:17081; } } }\n";
            try (TestPortico p = TestPortico.builder().ports(ports).conf(conf).start(); RawHttp c = new RawHttp(p.port(8080))) {
                RawHttp.Response r = c.send("GET /a/b?x=1 HTTP/1.1\r\nHost: example.test\r\n\r\n").readResponse(false);
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.bodyText()).isEqualTo("hello from backend");
                assertThat(r.header("X-Custom")).isEqualTo("yes");
                assertThat(r.header("Server")).startsWith("portico");
                Backend.Request req = b.take();
                assertThat(req.target()).isEqualTo("/a/b?x=1");
                assertThat(req.version()).isEqualTo("HTTP/1.1");
                assertThat(req.header("Host")).isEqualTo("127.0.0.1:" + b.port());
                assertThat(req.header("Connection")).isNull();
                RawHttp.Response r2 = c.send("GET /again HTTP/1.1\r\nHost: example.test\r\n\r\n").readResponse(false);
                assertThat(r2.status()).isEqualTo(200);
            }
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        PortMap ports = new PortMap();
        try (Backend b = Backend.on(ports, 17081, ex -> ex.send(200, "answer to " + ex.request.target()))) {
            String conf = "events {}\nhttp { upstream u { server 127.0.0.1:17081; } server { listen 127.0.0.1:8080; "
                + "location / { proxy_pass http://u; } } }\n";
            try (TestPortico p = TestPortico.builder().ports(ports).conf(conf).start(); RawHttp c = new RawHttp(p.port(8080))) {
                c.send("GET /one HTTP/1.1\r\nHost: a\r\n\r\nGET /two HTTP/1.1\r\nHost: a\r\n\r\n"
                    + "POST /three HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc");
                assertThat(c.readResponse(false).bodyText()).isEqualTo("answer to /one");
                assertThat(c.readResponse(false).bodyText()).isEqualTo("answer to /two");
                assertThat(c.readResponse(false).bodyText()).isEqualTo("answer to /three");
            }
        }
    }

    @Test
    void rawNonAsciiBytesInTheTargetReachTheBackendAsTheSameBytes() throws Exception {
        PortMap ports = new PortMap();
        try (Backend b = Backend.on(ports, 17081, ex -> ex.send(200, ex.request.target()))) {
            String conf = "events {}\nhttp { server { listen 127.0.0.1:8080; "
                + "location /name/ { proxy_pass http://127.0.0.1:17081/remote/; } "
                + "location /plain/ { proxy_pass http://127.0.0.1:17081; } } }\n";
            try (TestPortico p = TestPortico.builder().ports(ports).conf(conf).start(); RawHttp c = new RawHttp(p.port(8080))) {
                byte[] e = "\u00e9".getBytes(java.nio.charset.StandardCharsets.UTF_8);
                c.send("GET /name/caf").send(e).send(" HTTP/1.1\r\nHost: a\r\n\r\n");
                assertThat(c.readResponse(false).bodyText()).isEqualTo("/remote/caf%C3%A9");
                // proxy_pass without a URI: the target as received, raw bytes and all (nginx's unparsed URI)
                c.send("GET /plain/caf").send(e).send("?q=").send(e).send(" HTTP/1.1\r\nHost: a\r\n\r\n");
                assertThat(c.readResponse(false).status()).isEqualTo(200);
                b.take();
                assertThat(b.take().target()).isEqualTo("/plain/caf\u00c3\u00a9?q=\u00c3\u00a9");
            }
        }
    }
}
