package dev.portico.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void unknownPathGetsNginxStyle404() {
        try (TestPortico p = TestPortico.start("events {}\nhttp { server { listen 127.0.0.1:8080; location / { } } }\n");
             RawHttp c = new RawHttp(p.port(8080))) {
            RawHttp.Response r = c.send("GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n").readResponse(false);
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.header("Server")).startsWith("portico");
            assertThat(r.bodyText()).contains("<center><h1>404 Not Found</h1></center>");
        }
    }
}
