package dev.portico.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.Version;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The headers and built-in pages Portico writes itself, byte for byte as nginx does. */
class ResponseHeadersTest {
    private static final String V = Version.PORTICO;
    private static TestPortico portico;

    @BeforeAll
    static void start() {
        portico = TestPortico.start("""
            events {}
            http {
                server {
                    listen 127.0.0.1:8080;
                    location / { return 200 "hello\\n"; }
                    location /moved { return 301 /target; }
                    location /found { return 302 /target; }
                    location /teapot { return 418; }
                    location /broken { return 500; }
                    location /missing { return 404; }
                    location /quiet { server_tokens off; return 404; }
                    location /built { server_tokens build; return 404; }
                }
                server { listen 127.0.0.1:8081; server_tokens off; return 200 "quiet\\n"; }
            }
            """);
    }

    @AfterAll
    static void stop() {
        portico.close();
    }

    private static String page(String title, String tokens) {
        return "<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n<center><h1>" + title + "</h1></center>\r\n"
            + "<hr><center>" + tokens + "</center>\r\n</body>\r\n</html>\r\n";
    }

    private static String rawHead(int port, String request) {
        try (RawHttp c = new RawHttp(portico.port(port))) {
            String all = c.send(request).readUntilClose(3000);
            return all.substring(0, all.indexOf("\r\n\r\n") + 4);
        }
    }

    @Test
    void headersComeInNginxOrderAndCanonicalCase() {
        String head = rawHead(8080, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
        assertThat(head).matches("HTTP/1\\.1 200 OK\r\n"
            + "Server: portico/" + V.replace(".", "\\.") + "\r\n"
            + "Date: [A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT\r\n"
            + "Content-Type: text/plain\r\n"
            + "Content-Length: 6\r\n"
            + "Connection: close\r\n\r\n");
    }

    @Test
    void dateIsTheCurrentTimeInRfc1123Format() {
        try (RawHttp c = new RawHttp(portico.port(8080))) {
            String date = c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false).header("Date");
            ZonedDateTime t = ZonedDateTime.parse(date, DateTimeFormatter.RFC_1123_DATE_TIME);
            assertThat(Duration.between(t, ZonedDateTime.now()).abs()).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void serverTokensOffDropsTheVersion() {
        try (RawHttp c = new RawHttp(portico.port(8081))) {
            assertThat(c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false).header("Server")).isEqualTo("portico");
        }
    }

    static Stream<Arguments> pages() {
        return Stream.of(
            Arguments.of("/missing", "HTTP/1.1 404 Not Found", page("404 Not Found", "portico/" + V), "keep-alive"),
            Arguments.of("/quiet", "HTTP/1.1 404 Not Found", page("404 Not Found", "portico"), "keep-alive"),
            // nginx built without --build= shows the version alone for "build": Portico has no build name
            Arguments.of("/built", "HTTP/1.1 404 Not Found", page("404 Not Found", "portico/" + V), "keep-alive"),
            Arguments.of("/moved", "HTTP/1.1 301 Moved Permanently", page("301 Moved Permanently", "portico/" + V), "keep-alive"),
            Arguments.of("/found", "HTTP/1.1 302 Moved Temporarily", page("302 Found", "portico/" + V), "keep-alive"),
            Arguments.of("/broken", "HTTP/1.1 500 Internal Server Error", page("500 Internal Server Error", "portico/" + V), "close"),
            Arguments.of("/teapot", "HTTP/1.1 418 ", "", "keep-alive"));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("pages")
    void builtInPagesAreNginxsPagesWithPorticoInThem(String path, String statusLine, String body, String connection) {
        try (RawHttp c = new RawHttp(portico.port(8080))) {
            RawHttp.Response r = c.send("GET " + path + " HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false);
            assertThat(r.statusLine()).isEqualTo(statusLine);
            assertThat(r.bodyText()).isEqualTo(body);
            assertThat(r.header("Content-Length")).isEqualTo(Integer.toString(body.length()));
            assertThat(r.header("Content-Type")).isEqualTo(body.isEmpty() ? null : "text/html");
            assertThat(r.header("Connection")).isEqualTo(connection);
        }
    }

    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {"/missing | portico/VERSION", "/quiet | portico", "/built | portico/VERSION"})
    void theServerFieldFollowsServerTokens(String path, String server) {
        try (RawHttp c = new RawHttp(portico.port(8080))) {
            RawHttp.Response r = c.send("GET " + path + " HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false);
            assertThat(r.header("Server")).isEqualTo(server.replace("VERSION", V));
        }
    }

    @Test
    void aRedirectCarriesAnAbsoluteLocation() {
        try (RawHttp c = new RawHttp(portico.port(8080))) {
            RawHttp.Response r = c.send("GET /moved HTTP/1.1\r\nHost: a.test\r\n\r\n").readResponse(false);
            assertThat(r.header("Location")).isEqualTo("http://a.test:" + portico.port(8080) + "/target");
        }
    }

    @Test
    void aBadRequestPageSaysNothingElse() {
        try (RawHttp c = new RawHttp(portico.port(8080))) {
            RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\n").readResponse(false);
            assertThat(r.statusLine()).isEqualTo("HTTP/1.1 400 Bad Request");
            assertThat(r.bodyText()).isEqualTo(page("400 Bad Request", "portico/" + V));
            assertThat(r.header("Server")).isEqualTo("portico/" + V);
            assertThat(r.header("Date")).isNotNull();
        }
    }

    @Test
    void headGetsTheHeadersOnly() {
        try (RawHttp c = new RawHttp(portico.port(8080))) {
            c.send("HEAD / HTTP/1.1\r\nHost: a\r\n\r\nHEAD /missing HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n");
            RawHttp.Response head = c.readResponse(true);
            assertThat(head.header("Content-Length")).isEqualTo("6");
            RawHttp.Response missing = c.readResponse(true);
            assertThat(missing.status()).isEqualTo(404);
            assertThat(missing.header("Content-Length")).isEqualTo(Integer.toString(page("404 Not Found", "portico/" + V).length()));
            // the next response starts right after the heads: no body bytes were sent
            assertThat(c.readResponse(false).bodyText()).isEqualTo("hello\n");
        }
    }

    @Test
    void anHttp10RequestGetsAnHttp11StatusLine() {
        try (RawHttp c = new RawHttp(portico.port(8080))) {
            assertThat(c.send("GET / HTTP/1.0\r\n\r\n").readResponse(false).statusLine()).isEqualTo("HTTP/1.1 200 OK");
        }
    }
}
