package dev.portico.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * large_client_header_buffers (414, nginx's "Request Header Or Cookie Too Large" page),
 * client_max_body_size (413 from Content-Length, before the body is sent),
 * underscores_in_headers, ignore_invalid_headers and merge_slashes.
 */
class LimitsTest {
    private static TestPortico portico;

    @BeforeAll
    static void start() {
        portico = TestPortico.start("""
            events {}
            http {
                large_client_header_buffers 4 1k;
                client_max_body_size 10;
                server {
                    listen 127.0.0.1:8080;
                    location / { return 200 "ok [$http_x_a] $uri\\n"; }
                    location /big/ { client_max_body_size 1m; return 200 "big\\n"; }
                    location /any/ { client_max_body_size 0; return 200 "any\\n"; }
                }
                server {
                    listen 127.0.0.1:8081;
                    underscores_in_headers on;
                    merge_slashes off;
                    location / { return 200 "ok [$http_x_a] $uri\\n"; }
                }
                server {
                    listen 127.0.0.1:8082;
                    ignore_invalid_headers off;
                    location / { return 200 "ok [$http_x_a] [$http_x_b]\\n"; }
                }
            }
            """);
    }

    @AfterAll
    static void stop() {
        portico.close();
    }

    static Stream<Arguments> heads() {
        String a900 = "a".repeat(900);
        return Stream.of(
            Arguments.of("a request line that fits one buffer", "GET /" + a900 + " HTTP/1.1\r\nHost: a\r\n\r\n", 200),
            Arguments.of("a request line longer than one buffer", "GET /" + "a".repeat(1100) + " HTTP/1.1\r\nHost: a\r\n\r\n", 414),
            Arguments.of("a header line that fits one buffer", "GET / HTTP/1.1\r\nHost: a\r\nX-B: " + a900 + "\r\n\r\n", 200),
            Arguments.of("a header line longer than one buffer",
                "GET / HTTP/1.1\r\nHost: a\r\nCookie: " + "c".repeat(1100) + "\r\n\r\n", 494),
            Arguments.of("headers larger than all buffers", "GET / HTTP/1.1\r\nHost: a\r\n"
                + ("X-B: " + a900 + "\r\n").repeat(5) + "\r\n", 494),
            Arguments.of("headers that fit all buffers", "GET / HTTP/1.1\r\nHost: a\r\n"
                + ("X-B: " + a900 + "\r\n").repeat(3) + "\r\n", 200));
    }

    @ParameterizedTest(name = "{0}: {2}")
    @MethodSource("heads")
    void headerBuffersLimitTheHead(String name, String raw, int status) {
        try (RawHttp c = new RawHttp(portico.port(8080))) {
            RawHttp.Response r = c.send(raw).readResponse(false);
            assertThat(r.status()).isEqualTo(status == 494 ? 400 : status);
            if (status == 494) {
                assertThat(r.statusLine()).isEqualTo("HTTP/1.1 400 Bad Request");
                assertThat(r.bodyText()).isEqualTo("<html>\r\n<head><title>400 Request Header Or Cookie Too Large</title></head>\r\n"
                    + "<body>\r\n<center><h1>400 Bad Request</h1></center>\r\n<center>Request Header Or Cookie Too Large</center>\r\n"
                    + "<hr><center>portico/" + dev.portico.Version.PORTICO + "</center>\r\n</body>\r\n</html>\r\n");
            }
            if (status == 414) {
                assertThat(r.statusLine()).isEqualTo("HTTP/1.1 414 Request-URI Too Large");
            }
            if (status != 200) {
                assertThat(r.header("Connection")).isEqualTo("close");
                assertThat(c.closedByServer(3000)).isTrue();
            }
        }
    }

    @Test
    void aLongRequestLineArrivingSlowlyGets414() {
        try (RawHttp c = new RawHttp(portico.port(8080))) {
            c.send("GET /" + "a".repeat(700));
            c.send("b".repeat(700));
            RawHttp.Response r = c.readResponse(false);
            assertThat(r.status()).isEqualTo(414);
        }
    }

    static Stream<Arguments> bodies() {
        return Stream.of(
            Arguments.of("/", 10, 200),
            Arguments.of("/", 11, 413),
            Arguments.of("/big/", 11, 200),
            Arguments.of("/any/", 5_000_000, 200));
    }

    @ParameterizedTest(name = "Content-Length {1} to {0}: {2}")
    @MethodSource("bodies")
    void clientMaxBodySizeIsCheckedFromContentLengthBeforeTheBody(String path, int length, int status) {
        try (RawHttp c = new RawHttp(portico.port(8080))) {
            // only the head is sent: a refusal must not wait for the body
            c.send("POST " + path + " HTTP/1.1\r\nHost: a\r\nContent-Length: " + length + "\r\n\r\n");
            RawHttp.Response r = c.readResponse(false);
            assertThat(r.status()).isEqualTo(status);
            if (status == 413) {
                assertThat(r.statusLine()).isEqualTo("HTTP/1.1 413 Request Entity Too Large");
                assertThat(r.header("Connection")).isEqualTo("close");
                assertThat(r.bodyText()).contains("<center><h1>413 Request Entity Too Large</h1></center>");
                assertThat(c.closedByServer(3000)).isTrue();
                assertThat(portico.errorLog()).contains("client intended to send too large body: 11 bytes");
            }
        }
    }

    static Stream<Arguments> headerNames() {
        return Stream.of(
            Arguments.of("a hyphen", 8080, "X-A: 1", "[1]"),
            Arguments.of("an underscore, ignored by default", 8080, "X_A: 1", "[]"),
            Arguments.of("an underscore with underscores_in_headers on", 8081, "X_A: 1", "[1]"),
            Arguments.of("an underscore kept with ignore_invalid_headers off", 8082, "X_A: 1", "[1] []"),
            Arguments.of("a dot kept with ignore_invalid_headers off", 8082, "X.B: 1\r\nX-A: 2", "[2] []"));
    }

    @ParameterizedTest(name = "a header name with {0}")
    @MethodSource("headerNames")
    void headerNamesAreFilteredAsNginx(String name, int port, String header, String expected) {
        try (RawHttp c = new RawHttp(portico.port(port))) {
            RawHttp.Response r = c.send("GET /p HTTP/1.1\r\nHost: a\r\n" + header + "\r\n\r\n").readResponse(false);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).startsWith("ok " + expected);
        }
    }

    @Test
    void mergeSlashesMergesRepeatedSlashesUnlessOff() {
        try (RawHttp on = new RawHttp(portico.port(8080)); RawHttp off = new RawHttp(portico.port(8081))) {
            assertThat(on.send("GET //a///b/ HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false).bodyText()).isEqualTo("ok [] /a/b/\n");
            assertThat(off.send("GET //a///b/ HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false).bodyText())
                .isEqualTo("ok [] //a///b/\n");
        }
    }

    @Test
    void aChunkedBodyNobodyReadsIsDiscardedWithoutTheSizeCheck() {
        try (RawHttp c = new RawHttp(portico.port(8080))) {
            c.send("POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "10\r\n0123456789abcdef\r\n10\r\n0123456789abcdef\r\n0\r\n\r\nGET /y HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(c.readResponse(false).bodyText()).isEqualTo("ok [] /x\n");
            assertThat(c.readResponse(false).bodyText()).isEqualTo("ok [] /y\n");
        }
    }
}
