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
 * underscores_in_headers and ignore_invalid_headers as ngx_http_process_request_headers applies
 * them: each header line is judged by the server chosen so far, so the lines after a Host field
 * follow the server that Host names (an absolute-form target chooses it for every line); an
 * ignored line is logged at info ("client sent invalid header line").
 */
class HeaderNamesTest {
    private static TestPortico portico;

    @BeforeAll
    static void start() {
        portico = TestPortico.start("""
            error_log logs/error.log info;
            events {}
            http {
                server { listen 127.0.0.1:8080 default_server; return 200 "[$http_x_a]"; }
                server { listen 127.0.0.1:8080; server_name u; underscores_in_headers on; return 200 "[$http_x_a]"; }
                server { listen 127.0.0.1:8080; server_name k; ignore_invalid_headers off; return 200 "[$http_x_a] [$http_x_b]"; }
            }
            """);
    }

    @AfterAll
    static void stop() {
        portico.close();
    }

    static Stream<Arguments> rows() {
        return Stream.of(
            Arguments.of("after Host: the server it names allows underscores", "GET / HTTP/1.1\r\nHost: u\r\nX_A: 1\r\n\r\n", "[1]"),
            Arguments.of("before Host: the default server drops it", "GET / HTTP/1.1\r\nX_A: 1\r\nHost: u\r\n\r\n", "[]"),
            Arguments.of("an absolute-form target chooses the server for every line",
                "GET http://u/ HTTP/1.1\r\nX_A: 1\r\nHost: other\r\n\r\n", "[1]"),
            Arguments.of("a Host naming no server leaves the default server's rules",
                "GET / HTTP/1.1\r\nHost: none\r\nX_A: 1\r\n\r\n", "[]"),
            Arguments.of("ignore_invalid_headers off keeps any name after Host",
                "GET / HTTP/1.1\r\nHost: k\r\nX_A: 1\r\nX.B: 2\r\nX-B: 3\r\n\r\n", "[1] [3]"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void eachLineFollowsTheServerChosenSoFar(String what, String request, String expected) {
        try (RawHttp c = new RawHttp(portico.port(8080))) {
            RawHttp.Response r = c.send(request).readResponse(false);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo(expected);
        }
    }

    @Test
    void anIgnoredLineIsLoggedAtInfo() {
        try (RawHttp c = new RawHttp(portico.port(8080))) {
            c.send("GET /logged HTTP/1.1\r\nHost: a\r\nX@Y: 1\r\n\r\n").readResponse(false);
        }
        assertThat(portico.errorLog()).contains("client sent invalid header line: \"X@Y: 1\" while reading client request headers")
            .contains("request: \"GET /logged HTTP/1.1\"");
    }
}
