package dev.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.PortMap;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import org.junit.jupiter.api.Test;

/** A proxied prefix location ending in "/": its name without the slash gets a 301 to the name (nginx's auto_redirect). */
class AutoRedirectTest {
    @Test
    void theNameWithoutSlashIsRedirectedUnlessALocationMatchesItExactly() throws Exception {
        PortMap ports = new PortMap();
        String conf = """
            events {}
            http { server { listen 127.0.0.1:8080; server_name front;
                location /app/ { proxy_pass http://127.0.0.1:17081; }
                location /api/ { proxy_pass http://127.0.0.1:17081; }
                location /api { return 200 "own location"; }
                location /static/ { return 200 "not proxied"; }
                location "/a b/" { proxy_pass http://127.0.0.1:17081; }
            } }
            """;
        try (Backend b = Backend.on(ports, 17081, ex -> ex.send(200, "proxied " + ex.request.target()));
             TestPortico p = TestPortico.builder().ports(ports).conf(conf).start(); RawHttp c = new RawHttp(p.port(8080))) {
            RawHttp.Response r = c.send("GET /app?x=1 HTTP/1.1\r\nHost: front\r\n\r\n").readResponse(false);
            assertThat(r.status()).isEqualTo(301);
            assertThat(r.header("Location")).isEqualTo("http://front:" + p.port(8080) + "/app/?x=1");
            assertThat(c.send("GET /app/ HTTP/1.1\r\nHost: front\r\n\r\n").readResponse(false).bodyText()).isEqualTo("proxied /app/");
            assertThat(c.send("GET /api HTTP/1.1\r\nHost: front\r\n\r\n").readResponse(false).bodyText()).isEqualTo("own location");
            assertThat(c.send("GET /static HTTP/1.1\r\nHost: front\r\n\r\n").readResponse(false).status()).isEqualTo(404);
            // the target is the location's name URI-escaped (nginx's escaped_name)
            RawHttp.Response spaced = c.send("GET /a%20b HTTP/1.1\r\nHost: front\r\n\r\n").readResponse(false);
            assertThat(spaced.status()).isEqualTo(301);
            assertThat(spaced.header("Location")).isEqualTo("http://front:" + p.port(8080) + "/a%20b/");
        }
    }
}
