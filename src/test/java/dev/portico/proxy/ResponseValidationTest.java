package dev.portico.proxy;

import static dev.portico.proxy.ByteScriptBackend.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.PortMap;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A backend response head that nginx's parser refuses is refused here too: the client gets a
 * 502 with nothing of the backend's response in it, the backend connection is closed (never
 * pooled), and the error log says why in nginx's words. Heads that nginx accepts, bare LF line
 * endings among them, pass.
 */
class ResponseValidationTest {
    private static final String CONF = "error_log logs/error.log warn;\nevents {}\nhttp {\n"
        + " upstream app { server 127.0.0.1:17081; keepalive 8; }\n"
        + " server { listen 127.0.0.1:8080;\n  location / { proxy_pass http://app; }\n }\n}\n";
    /** What a refused response carries; it must never reach the client. */
    private static final String SECRET = "SECRET-BODY";
    private static final String TAIL = "Content-Length: " + SECRET.length() + "\r\n\r\n" + SECRET;

    static Stream<Arguments> badStatusLines() {
        return Stream.of("HTTP/1.1 2000 OK", "HTTP/1.1 99999 Big", "HTTP/1.1 +200 OK", "HTTP/1.1 0200 OK",
                "HTTP/1.1 099 Low", "HTTP/1.1 600 High", "HTTP/1.1 20 Short", "HTTP/1.1 2x0 OK", "HTTP/1.1200 OK",
                "HTTQ/1.1 200 OK", "HTTP/x.1 200 OK", "garbage")
            .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badStatusLines")
    void anInvalidStatusLineIsA502(String statusLine) throws Exception {
        refused(statusLine + "\r\n" + TAIL, "upstream sent no valid HTTP/1.0 header while reading response header from upstream");
    }

    static Stream<Arguments> badHeaders() {
        return Stream.of(
            Arguments.of("a bare CR in a value", "X-A: one\rtwo\r\n", "upstream sent invalid header: \"X-A\\x0D...\""),
            Arguments.of("a NUL in a value", "X-A: one\0two\r\n", "upstream sent invalid header: \"X-A\\x00...\""),
            Arguments.of("a NUL in a name", "X-\0A: one\r\n", "upstream sent invalid header: \"X-\\x00...\""),
            Arguments.of("a space in a name", "X A: one\r\n", "upstream sent invalid header: \"X\\x20...\""),
            Arguments.of("a space before the colon", "X-A : one\r\n", "upstream sent invalid header: \"X-A\\x20...\""),
            Arguments.of("an @ in a name", "X@A: one\r\n", "upstream sent invalid header: \"X\\x40...\""),
            Arguments.of("a non-ASCII byte in a name", "X-\u00e9: one\r\n", "upstream sent invalid header: \"X-\\xE9...\""),
            Arguments.of("an empty name", ": one\r\n", "upstream sent invalid header: \"\\x3A...\""),
            Arguments.of("obsolete line folding", "X-A: one\r\n two\r\n", "upstream sent invalid header: \"\\x20...\""),
            Arguments.of("folding with a tab", "X-A: one\r\n\ttwo\r\n", "upstream sent invalid header: \"\\x09...\""),
            Arguments.of("a CR alone on a line", "X-A: one\r\n\rX-B: two\r\n", "upstream sent invalid header: \"\\x0D...\""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badHeaders")
    void anInvalidHeaderLineIsA502(String name, String line, String message) throws Exception {
        refused("HTTP/1.1 200 OK\r\n" + line + TAIL, message + " while reading response header from upstream");
    }

    private static void refused(String response, String logged) throws Exception {
        PortMap ports = new PortMap();
        try (ByteScriptBackend b = ByteScriptBackend.on(ports, 17081, r -> List.of(bytes(response)));
             TestPortico p = TestPortico.builder().ports(ports).conf(CONF).start();
             RawHttp c = new RawHttp(p.port(8080))) {
            RawHttp.Response r = c.send("GET /x HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false);
            assertThat(r.status()).isEqualTo(502);
            assertThat(r.bodyText()).doesNotContain(SECRET);
            assertThat(r.header("x-a")).isNull();
            assertThat(b.awaitClosedByPeer(1, 10_000)).as("backend connection closed by Portico").isTrue();
            assertThat(p.errorLog()).contains("[error]").contains(logged);
        }
    }

    static Stream<Arguments> lenientHeads() {
        return Stream.of(
            Arguments.of("bare LF line endings", List.of("HTTP/1.1 200 OK\nX-A: one\nContent-Length: 2\n\nok")),
            Arguments.of("bare LF, chunked", List.of("HTTP/1.1 200 OK\nX-A: one\nTransfer-Encoding: chunked\n\n2\nok\n0\n\n")),
            Arguments.of("bare LF, chunked, with extension and trailer",
                List.of("HTTP/1.1 200 OK\nX-A: one\nTransfer-Encoding: chunked\n\n1;a=b\no\n1\r\nk\n0\nX-T: 1\n\n")),
            Arguments.of("bare LF, chunked, framing split across packets",
                List.of("HTTP/1.1 200 OK\nX-A: one\nTransfer-Encoding: chunked\n\n1", "\no", "\n1\n", "k", "\n0", "\n\n")),
            Arguments.of("CRLF head, bare LF chunks", List.of("HTTP/1.1 200 OK\r\nX-A: one\r\nTransfer-Encoding: Chunked\r\n\r\n2\nok\n0\n\n")),
            Arguments.of("bare LF chunks after a 100 Continue",
                List.of("HTTP/1.1 100 Continue\n\nHTTP/1.1 200 OK\nX-A: one\nTransfer-Encoding: chunked\n\n2\nok\n0\n\n")),
            Arguments.of("mixed CRLF and LF", List.of("HTTP/1.1 200 OK\r\nX-A: one\nContent-Length: 2\r\n\nok")),
            Arguments.of("a 100 Continue before the final head",
                List.of("HTTP/1.1 100 Continue\r\n\r\n", "HTTP/1.1 200 OK\r\nX-A: one\r\nContent-Length: 2\r\n\r\nok")),
            Arguments.of("a 100 Continue with bare LF, same packet",
                List.of("HTTP/1.1 100 Continue\n\nHTTP/1.1 200 OK\nX-A: one\nContent-Length: 2\n\nok")),
            Arguments.of("a status line without a reason", List.of("HTTP/1.1 200\r\nX-A: one\r\nContent-Length: 2\r\n\r\nok")),
            Arguments.of("an empty value and no space", List.of("HTTP/1.1 200 OK\r\nX-B:\r\nX-A:one\r\nContent-Length: 2\r\n\r\nok")),
            Arguments.of("a value with tabs and obs-text", List.of("HTTP/1.1 200 OK\r\nX-B: a\tb\u00e9\r\nX-A: one\r\nContent-Length: 2\r\n\r\nok")),
            Arguments.of("a body with NUL and CR bytes", List.of("HTTP/1.1 200 OK\r\nX-A: one\r\nContent-Length: 2\r\n\r\n", "\0\r"))
        );
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lenientHeads")
    void headsNginxAcceptsArePassedOn(String name, List<String> pieces) throws Exception {
        PortMap ports = new PortMap();
        List<byte[]> answer = pieces.stream().map(ByteScriptBackend::bytes).toList();
        try (ByteScriptBackend b = ByteScriptBackend.on(ports, 17081, r -> answer);
             TestPortico p = TestPortico.builder().ports(ports).conf(CONF).start();
             RawHttp c = new RawHttp(p.port(8080))) {
            RawHttp.Response r = c.send("GET /x HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("x-a")).isEqualTo("one");
            assertThat(r.body()).hasSize(2);
            // the connection stays usable: a second request goes over it
            RawHttp.Response again = c.send("GET /y HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false);
            assertThat(again.status()).isEqualTo(200);
            assertThat(b.connections.get()).isEqualTo(1);
        }
    }

    @org.junit.jupiter.api.Test
    void aRepeatedExpiresIsDroppedWithAWarningAndTheFirstCounts() throws Exception {
        PortMap ports = new PortMap();
        String answer = "HTTP/1.1 200 OK\r\nExpires: Thu, 01 Jan 2037 00:00:00 GMT\r\nX-A: one\r\n"
            + "expires: Fri, 02 Jan 2037 00:00:00 GMT\r\nContent-Length: 2\r\n\r\nok";
        String conf = CONF.replace("proxy_pass http://app;", "proxy_pass http://app; add_header X-Seen $upstream_http_expires;");
        try (ByteScriptBackend b = ByteScriptBackend.on(ports, 17081, r -> List.of(bytes(answer)));
             TestPortico p = TestPortico.builder().ports(ports).conf(conf).start();
             RawHttp c = new RawHttp(p.port(8080))) {
            RawHttp.Response r = c.send("GET /x HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.headers().stream().filter(h -> h[0].equalsIgnoreCase("Expires")).map(h -> h[1]))
                .containsExactly("Thu, 01 Jan 2037 00:00:00 GMT");
            assertThat(r.header("X-Seen")).isEqualTo("Thu, 01 Jan 2037 00:00:00 GMT");
            assertThat(p.errorLog()).contains("[warn]").contains("upstream sent duplicate header line: "
                + "\"expires: Fri, 02 Jan 2037 00:00:00 GMT\", previous value: \"Expires: Thu, 01 Jan 2037 00:00:00 GMT\", "
                + "ignored while reading response header from upstream");
        }
    }
}
