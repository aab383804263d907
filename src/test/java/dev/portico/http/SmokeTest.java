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

    @Test
    void returnWithVariablesAnswersFromTheMatchedServer() {
        String conf = """
            events {}
            http {
                server { listen 127.0.0.1:8080; server_name a.test; return 200 "a $host $uri $arg_x\n"; }
                server { listen 127.0.0.1:8080; server_name b.test; location /r { return 301 /elsewhere; } }
            }
            """;
        try (TestPortico p = TestPortico.start(conf); RawHttp c = new RawHttp(p.port(8080))) {
            RawHttp.Response r = c.send("GET /p/../q?x=1 HTTP/1.1\r\nHost: A.TEST.\r\n\r\n").readResponse(false);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo("a a.test /q 1\n");
            assertThat(r.header("Content-Type")).isEqualTo("text/plain");
            RawHttp.Response red = c.send("GET /r HTTP/1.1\r\nHost: b.test\r\n\r\n").readResponse(false);
            assertThat(red.status()).isEqualTo(301);
            assertThat(red.header("Location")).isEqualTo("http://b.test:" + p.port(8080) + "/elsewhere");
        }
    }
}
