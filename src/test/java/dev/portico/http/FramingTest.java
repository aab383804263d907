package dev.portico.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * RFC 9112 framing and request-line rules on the wire: each malformed request gets one error
 * response, the connection is closed, and a request smuggled behind it is never answered.
 */
class FramingTest {
    private static final String SMUGGLED = "GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n";
    private static TestPortico portico;

    @BeforeAll
    static void start() {
        portico = TestPortico.start("""
            events {}
            http {
                server {
                    listen 127.0.0.1:8080;
                    location / { return 200 "root $request_method $uri\\n"; }
                    location /smuggled { return 200 "SMUGGLED\\n"; }
                }
            }
            """);
    }

    @AfterAll
    static void stop() {
        portico.close();
    }

    static Stream<Arguments> badHeads() {
        return Stream.of(
            bad("both Content-Length and Transfer-Encoding", 400,
                "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + SMUGGLED),
            bad("Transfer-Encoding before Content-Length", 400,
                "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 40\r\n\r\n0\r\n\r\n" + SMUGGLED),
            bad("two different Content-Length values", 400,
                "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nContent-Length: 37\r\n\r\n" + SMUGGLED),
            bad("two equal Content-Length values (nginx refuses duplicates)", 400,
                "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nContent-Length: 0\r\n\r\n" + SMUGGLED),
            bad("a list in Content-Length", 400, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0, 0\r\n\r\n" + SMUGGLED),
            bad("a signed Content-Length", 400, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +0\r\n\r\n" + SMUGGLED),
            bad("a negative Content-Length", 400, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n" + SMUGGLED),
            bad("a hexadecimal Content-Length", 400, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x0\r\n\r\n" + SMUGGLED),
            bad("an empty Content-Length", 400, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \r\n\r\n" + SMUGGLED),
            bad("final coding gzip", 501, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n" + SMUGGLED),
            bad("final coding not chunked after chunked", 501,
                "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n" + SMUGGLED),
            bad("identity coding", 501, "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\n\r\n" + SMUGGLED),
            bad("a coding before chunked (nginx: not implemented)", 501,
                "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n" + SMUGGLED),
            bad("Transfer-Encoding twice", 400,
                "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + SMUGGLED),
            bad("Transfer-Encoding in HTTP/1.0", 400,
                "POST / HTTP/1.0\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + SMUGGLED),
            bad("obs-fold with a space", 400, "GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n 2\r\n\r\n" + SMUGGLED),
            bad("obs-fold with a tab", 400, "GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n\t2\r\n\r\n" + SMUGGLED),
            bad("a folded line right after the request line", 400, "GET / HTTP/1.1\r\n Host: a\r\n\r\n" + SMUGGLED),
            bad("a space between field name and colon", 400, "GET / HTTP/1.1\r\nHost : a\r\n\r\n" + SMUGGLED),
            bad("a tab between field name and colon", 400, "GET / HTTP/1.1\r\nHost: a\r\nX-A\t: 1\r\n\r\n" + SMUGGLED),
            bad("a space in a field name", 400, "GET / HTTP/1.1\r\nHost: a\r\nX A: 1\r\n\r\n" + SMUGGLED),
            bad("a control character in a field name", 400, "GET / HTTP/1.1\r\nHost: a\r\nX\u0001A: 1\r\n\r\n" + SMUGGLED),
            bad("NUL in a field name", 400, "GET / HTTP/1.1\r\nHost: a\r\nX\u0000A: 1\r\n\r\n" + SMUGGLED),
            bad("NUL in a field value", 400, "GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\u00002\r\n\r\n" + SMUGGLED),
            bad("a control character in a field value", 400, "GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\u00072\r\n\r\n" + SMUGGLED),
            bad("DEL in a field value", 400, "GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\u007f\r\n\r\n" + SMUGGLED),
            bad("a bare CR in a field value", 400, "GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r2\r\n\r\n" + SMUGGLED),
            bad("a field line without colon", 400, "GET / HTTP/1.1\r\nHost: a\r\nX-A\r\n\r\n" + SMUGGLED),
            bad("an empty field name", 400, "GET / HTTP/1.1\r\nHost: a\r\n: 1\r\n\r\n" + SMUGGLED),
            bad("a bare CR ending the request line", 400, "GET / HTTP/1.1\rHost: a\r\n\r\n" + SMUGGLED),
            bad("a bare CR ending a header line", 400, "GET / HTTP/1.1\r\nHost: a\rX-A: 1\r\n\r\n" + SMUGGLED),
            bad("a lower-case method", 400, "get / HTTP/1.1\r\nHost: a\r\n\r\n" + SMUGGLED),
            bad("a method with a digit", 400, "G3T / HTTP/1.1\r\nHost: a\r\n\r\n" + SMUGGLED),
            bad("HTTP/0.9: no version", 400, "GET /\r\n\r\n" + SMUGGLED),
            bad("two spaces before the target", 400, "GET  / HTTP/1.1\r\nHost: a\r\n\r\n" + SMUGGLED),
            bad("two spaces before the version", 400, "GET /  HTTP/1.1\r\nHost: a\r\n\r\n" + SMUGGLED),
            bad("a space after the version", 400, "GET / HTTP/1.1 \r\nHost: a\r\n\r\n" + SMUGGLED),
            bad("a tab as separator", 400, "GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n" + SMUGGLED),
            bad("a lower-case protocol name", 400, "GET / http/1.1\r\nHost: a\r\n\r\n" + SMUGGLED),
            bad("an explicit HTTP/0.9", 400, "GET / HTTP/0.9\r\nHost: a\r\n\r\n" + SMUGGLED),
            bad("a malformed version", 400, "GET / HTTP/1.x\r\nHost: a\r\n\r\n" + SMUGGLED),
            bad("HTTP/2.0 on an HTTP/1 connection", 505, "GET / HTTP/2.0\r\nHost: a\r\n\r\n" + SMUGGLED),
            bad("HTTP/3.0", 505, "GET / HTTP/3.0\r\nHost: a\r\n\r\n" + SMUGGLED),
            bad("a control character in the target", 400, "GET /a\u0001b HTTP/1.1\r\nHost: a\r\n\r\n" + SMUGGLED),
            bad("no Host in HTTP/1.1", 400, "GET / HTTP/1.1\r\nX-A: 1\r\n\r\n" + SMUGGLED),
            bad("Host twice", 400, "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n" + SMUGGLED),
            bad("an empty Host", 400, "GET / HTTP/1.1\r\nHost: \r\n\r\n" + SMUGGLED),
            bad("a slash in Host", 400, "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n" + SMUGGLED),
            bad("two dots in Host", 400, "GET / HTTP/1.1\r\nHost: a..b\r\n\r\n" + SMUGGLED),
            bad("a space inside Host", 400, "GET / HTTP/1.1\r\nHost: a b\r\n\r\n" + SMUGGLED),
            bad("a percent-encoded NUL", 400, "GET /a%00b HTTP/1.1\r\nHost: a\r\n\r\n" + SMUGGLED),
            bad("an invalid percent escape", 400, "GET /a%zzb HTTP/1.1\r\nHost: a\r\n\r\n" + SMUGGLED),
            bad("a truncated percent escape", 400, "GET /a%2 HTTP/1.1\r\nHost: a\r\n\r\n" + SMUGGLED),
            bad("a path above the root", 400, "GET /../etc/passwd HTTP/1.1\r\nHost: a\r\n\r\n" + SMUGGLED),
            bad("an encoded path above the root", 400, "GET /a/%2e%2e/%2E%2E/b HTTP/1.1\r\nHost: a\r\n\r\n" + SMUGGLED),
            bad("asterisk-form (nginx refuses it)", 400, "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n" + SMUGGLED),
            bad("authority-form", 400, "CONNECT a:443 HTTP/1.1\r\nHost: a\r\n\r\n" + SMUGGLED),
            bad("a relative target", 400, "GET a/b HTTP/1.1\r\nHost: a\r\n\r\n" + SMUGGLED),
            bad("userinfo in an absolute target", 400, "GET http://u@a/ HTTP/1.1\r\nHost: a\r\n\r\n" + SMUGGLED));
    }

    private static Arguments bad(String name, int status, String raw) {
        return Arguments.of(name, status, raw);
    }

    @ParameterizedTest(name = "{0} gets {1} and the connection closes")
    @MethodSource("badHeads")
    void malformedRequestGetsOneErrorAndTheConnectionCloses(String name, int status, String raw) {
        try (RawHttp c = new RawHttp(portico.port(8080))) {
            RawHttp.Response r = c.send(raw).readResponse(false);
            assertThat(r.status()).isEqualTo(status);
            assertThat(r.statusLine()).startsWith("HTTP/1.1 " + (status == 494 ? 400 : status) + " ");
            assertThat(r.header("Connection")).isEqualTo("close");
            assertThat(r.bodyText()).contains("<center><h1>" + status + " ").doesNotContain("SMUGGLED");
            assertThat(c.readUntilClose(3000)).as("nothing after the error response").isEmpty();
            assertThat(c.closedByServer(200)).isTrue();
        }
    }

    static Stream<Arguments> badChunkedBodies() {
        return Stream.of(
            Arguments.of("a non-hex chunk size", "zz\r\nhello\r\n0\r\n\r\n"),
            Arguments.of("a 0x chunk size", "0x5\r\nhello\r\n0\r\n\r\n"),
            Arguments.of("a negative chunk size", "-5\r\nhello\r\n0\r\n\r\n"),
            Arguments.of("an empty chunk size", "\r\nhello\r\n0\r\n\r\n"),
            Arguments.of("an overflowing chunk size", "fffffffffffffffff\r\nhello\r\n0\r\n\r\n"),
            Arguments.of("a space inside the chunk size", "5 5\r\nhello\r\n0\r\n\r\n"),
            Arguments.of("a separator in a chunk extension name", "5;a@b\r\nhello\r\n0\r\n\r\n"),
            Arguments.of("an unterminated quoted chunk extension", "5;a=\"b\r\nhello\r\n0\r\n\r\n"),
            Arguments.of("a control character in a chunk extension", "5;a\u0001b\r\nhello\r\n0\r\n\r\n"),
            Arguments.of("a bare CR after the chunk size", "5\rhello\r\n0\r\n\r\n"),
            Arguments.of("a bare CR after chunk data", "5\r\nhello\r0\r\n\r\n"),
            Arguments.of("chunk data longer than its size", "3\r\nhello\r\n0\r\n\r\n"));
    }

    /**
     * {@code return} answers without reading the body (nginx discards it too); when the body turns
     * out malformed the connection is closed and what follows is never parsed as a request.
     */
    @ParameterizedTest(name = "{0}: the connection closes, nothing smuggled is answered")
    @MethodSource("badChunkedBodies")
    void malformedChunkedBodyClosesTheConnection(String name, String body) {
        try (RawHttp c = new RawHttp(portico.port(8080))) {
            c.send("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" + body + SMUGGLED);
            RawHttp.Response r = c.readResponse(false);
            assertThat(r.status()).isIn(200, 400);
            assertThat(c.readUntilClose(3000)).doesNotContain("SMUGGLED").doesNotContain("HTTP/1.1");
            assertThat(c.closedByServer(200)).isTrue();
        }
    }

    static Stream<Arguments> validRequests() {
        return Stream.of(
            Arguments.of("a Content-Length body", "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello", "root POST /x"),
            Arguments.of("a chunked body with extension and trailer",
                "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;name=\"v\"\r\nhello\r\n0\r\nX-T: 1\r\n\r\n",
                "root POST /x"),
            Arguments.of("bare LF line endings", "GET /x HTTP/1.1\nHost: a\n\n", "root GET /x"),
            Arguments.of("bare LF and CRLF mixed", "GET /x HTTP/1.1\r\nHost: a\nX-A: 1\r\n\n", "root GET /x"),
            Arguments.of("a chunked body with bare LF lines",
                "POST /x HTTP/1.1\nHost: a\nTransfer-Encoding: chunked\n\n5;name=v\nhello\n0\nX-T: 1\n\n", "root POST /x"),
            Arguments.of("chunked in any case", "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n0\r\n\r\n",
                "root POST /x"),
            Arguments.of("empty lines before the request line", "\r\n\r\nGET /x HTTP/1.1\r\nHost: a\r\n\r\n", "root GET /x"),
            Arguments.of("HTTP/1.0 without Host", "GET /x HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", "root GET /x"),
            Arguments.of("an obs-text field value", "GET /x HTTP/1.1\r\nHost: a\r\nX-A: caf\u00e9\r\n\r\n", "root GET /x"),
            Arguments.of("a tab inside a field value", "GET /x HTTP/1.1\r\nHost: a\r\nX-A: 1\t2\r\n\r\n", "root GET /x"),
            Arguments.of("OWS around a field value", "GET /x HTTP/1.1\r\nHost:   a  \r\n\r\n", "root GET /x"),
            Arguments.of("an invalid field name nginx ignores", "GET /x HTTP/1.1\r\nHost: a\r\nX@A: 1\r\n\r\n", "root GET /x"),
            Arguments.of("a method nginx does not know", "PURGE_ME /x HTTP/1.1\r\nHost: a\r\n\r\n", "root PURGE_ME /x"),
            Arguments.of("HTTP/1.2 is HTTP/1.1", "GET /x HTTP/1.2\r\nHost: a\r\n\r\n", "root GET /x"),
            Arguments.of("an absolute-form target", "GET http://a:8080/x?y HTTP/1.1\r\nHost: b\r\n\r\n", "root GET /x"),
            Arguments.of("an absolute-form target without path", "GET http://a HTTP/1.1\r\nHost: b\r\n\r\n", "root GET /"),
            Arguments.of("percent-encoding decoded", "GET /%61%2Fb%20c HTTP/1.1\r\nHost: a\r\n\r\n", "root GET /a/b c"),
            Arguments.of("dot segments resolved", "GET /a/./b/../c HTTP/1.1\r\nHost: a\r\n\r\n", "root GET /a/c"),
            Arguments.of("raw UTF-8 kept as is", "GET /caf\u00c3\u00a9 HTTP/1.1\r\nHost: a\r\n\r\n", "root GET /caf\u00e9"));
    }

    @ParameterizedTest(name = "{0} is served and the connection stays usable")
    @MethodSource("validRequests")
    void validRequestIsServedAndTheNextOneToo(String name, String raw, String body) {
        try (RawHttp c = new RawHttp(portico.port(8080))) {
            RawHttp.Response r = c.send(raw + SMUGGLED).readResponse(false);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo(body + "\n");
            if (!raw.contains("HTTP/1.0")) {
                RawHttp.Response next = c.readResponse(false);
                assertThat(next.bodyText()).isEqualTo("SMUGGLED\n");
            }
        }
    }

    /** RFC 9112 section 2.2, as nginx: the same request with bare LF line endings gets the same answer. */
    @ParameterizedTest(name = "{0}, with bare LF line endings")
    @MethodSource("validRequests")
    void bareLfRequestsGetTheSameAnswersAsCrlfOnes(String name, String raw, String body) {
        String lf = raw.replace("\r\n", "\n");
        try (RawHttp c = new RawHttp(portico.port(8080))) {
            RawHttp.Response r = c.send(lf + SMUGGLED.replace("\r\n", "\n")).readResponse(false);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo(body + "\n");
            if (!raw.contains("HTTP/1.0")) {
                assertThat(c.readResponse(false).bodyText()).isEqualTo("SMUGGLED\n");
            }
        }
    }
}
