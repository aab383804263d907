package dev.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.Await;
import dev.portico.testing.PortMap;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Bytes that are not UTF-8 pass through the proxy as the same bytes: in the target sent to the
 * backend, in header values set from variables, and in the access log. Strings here are ISO-8859-1
 * (one char per byte): "\u00ff" is the byte 0xFF on the wire.
 */
class RawBytesProxyTest {
    private static String conf(String locations) {
        return "events {}\nhttp {\n log_format bytes '$uri|$request_uri|$request';\n"
            + " server { listen 127.0.0.1:8080; access_log logs/bytes.log bytes;\n" + locations + " }\n}\n";
    }

    private static String lastLogLine(TestPortico p, int n) {
        Path f = p.prefix().resolve("logs/bytes.log");
        Await.until(Duration.ofSeconds(10), n + " access log lines", () -> read(f).split("\n").length >= n && read(f).endsWith("\n"));
        return read(f).split("\n")[n - 1];
    }

    private static String read(Path f) {
        try {
            return Files.exists(f) ? new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void anInvalidUtf8EscapeIsReEscapedAsTheSameByteNeverAsUFFFD() throws Exception {
        PortMap ports = new PortMap();
        try (Backend b = Backend.on(ports, 17081, ex -> ex.send(200, "ok"));
             TestPortico p = TestPortico.builder().ports(ports).conf(conf(
                 "location /rep/ { proxy_pass http://127.0.0.1:17081/remote/; proxy_set_header X-Uri $uri; }")).start();
             RawHttp c = new RawHttp(p.port(8080))) {
            assertThat(c.send("GET /rep/%ff%C3%A9 HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false).status()).isEqualTo(200);
            Backend.Request r = b.take();
            // nginx re-escapes the changed URI (ngx_escape_uri): each byte as %XX
            assertThat(r.target()).isEqualTo("/remote/%FF%C3%A9");
            // a header value from a variable carries the decoded bytes as they are, as nginx's
            assertThat(r.header("X-Uri")).isEqualTo("/rep/\u00ff\u00c3\u00a9");
            assertThat(lastLogLine(p, 1)).isEqualTo("/rep/\\xFF\\xC3\\xA9|/rep/%ff%C3%A9|GET /rep/%ff%C3%A9 HTTP/1.1");
        }
    }

    @Test
    void withoutAUriPartTheTargetIsSentExactlyAsReceived() throws Exception {
        PortMap ports = new PortMap();
        try (Backend b = Backend.on(ports, 17081, ex -> ex.send(200, "ok"));
             TestPortico p = TestPortico.builder().ports(ports).conf(conf(
                 "location /plain/ { proxy_pass http://127.0.0.1:17081; }")).start();
             RawHttp c = new RawHttp(p.port(8080))) {
            String target = "/plain/%ff/\u00ff\u00c3\u00a9?a=\u00fe&b=%fe";
            assertThat(c.send("GET " + target + " HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false).status()).isEqualTo(200);
            assertThat(b.take().target()).isEqualTo(target);
            assertThat(lastLogLine(p, 1)).isEqualTo("/plain/\\xFF/\\xFF\\xC3\\xA9|/plain/%ff/\\xFF\\xC3\\xA9?a=\\xFE&b=%fe|"
                + "GET /plain/%ff/\\xFF\\xC3\\xA9?a=\\xFE&b=%fe HTTP/1.1");
        }
    }

    @Test
    void aRewrittenUriIsEscapedAndItsArgumentsKeepTheirBytes() throws Exception {
        PortMap ports = new PortMap();
        try (Backend b = Backend.on(ports, 17081, ex -> ex.send(200, "ok"));
             TestPortico p = TestPortico.builder().ports(ports).conf(conf(
                 "location /rw/ { rewrite ^/rw/(.*)$ /new/$1 break; proxy_pass http://127.0.0.1:17081; }")).start();
             RawHttp c = new RawHttp(p.port(8080))) {
            assertThat(c.send("GET /rw/%ff?q=\u00e9 HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false).status()).isEqualTo(200);
            assertThat(b.take().target()).isEqualTo("/new/%FF?q=\u00e9");
        }
    }

    @Test
    void aReturnedVariableIsTheBytesOfTheUri() {
        try (TestPortico p = TestPortico.start(conf("location / { return 200 \"$uri\"; }")); RawHttp c = new RawHttp(p.port(8080))) {
            RawHttp.Response r = c.send("GET /x/%ff%00 HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false);
            // %00 is refused by nginx too (400); without it the body is the raw byte
            assertThat(r.status()).isEqualTo(400);
        }
        try (TestPortico p = TestPortico.start(conf("location / { return 200 \"$uri\"; }")); RawHttp c = new RawHttp(p.port(8080))) {
            RawHttp.Response r = c.send("GET /x/%ff HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false);
            assertThat(r.body()).containsExactly('/', 'x', '/', 0xff);
        }
    }
}
