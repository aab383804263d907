package dev.portico.proxy;

import static dev.portico.proxy.ByteScriptBackend.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.PortMap;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A request written with bare LF line endings is served, and leaves for the backend with CRLF only. */
class BareLfRequestTest {
    @Test
    void aBareLfRequestIsPassedOnWithCrlf() throws Exception {
        PortMap ports = new PortMap();
        // this backend reads a head only up to CR LF CR LF: a bare LF sent on would leave it waiting
        try (ByteScriptBackend b = ByteScriptBackend.on(ports, 17081,
                 r -> List.of(bytes("HTTP/1.1 200 OK\r\nContent-Length: " + r.target().length() + "\r\n\r\n" + r.target())));
             TestPortico p = TestPortico.builder().ports(ports).conf("events {}\nhttp {\n"
                 + " server { listen 127.0.0.1:8080; location / { proxy_pass http://127.0.0.1:17081; } }\n}\n").start();
             RawHttp c = new RawHttp(p.port(8080))) {
            RawHttp.Response r = c.send("GET /lf?a=1 HTTP/1.1\nHost: a\nX-A: 1\n\n").readResponse(false);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo("/lf?a=1");
            assertThat(b.requests.poll(5, TimeUnit.SECONDS).line()).isEqualTo("GET /lf?a=1 HTTP/1.1");
        }
    }
}
