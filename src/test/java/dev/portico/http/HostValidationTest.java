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
 * nginx's ngx_http_validate_host, for the Host field and for the host of an absolute-form target:
 * the name is lower-cased, one trailing dot and everything from the first colon outside an IPv6
 * literal are dropped (the port is not checked there: leading zeros or more colons pass), an
 * IPv6 literal keeps its brackets; "..", "/", controls and an empty name get 400. In an
 * absolute-form target the request line parser checks more first: the port is digits only.
 */
class HostValidationTest {
    private static TestPortico portico;

    @BeforeAll
    static void start() {
        portico = TestPortico.start("""
            events {}
            http {
                server { listen 127.0.0.1:8080 default_server; server_name default; return 200 "$host|$server_name"; }
                server { listen 127.0.0.1:8080; server_name b.example; return 200 "$host|$server_name"; }
            }
            """);
    }

    @AfterAll
    static void stop() {
        portico.close();
    }

    static Stream<Arguments> rows() {
        return Stream.of(
            Arguments.of("GET / HTTP/1.1\r\nHost: B.Example.\r\n\r\n", "b.example|b.example"),
            Arguments.of("GET / HTTP/1.1\r\nHost: b.example:0080\r\n\r\n", "b.example|b.example"),
            Arguments.of("GET / HTTP/1.1\r\nHost: b.example:1:2\r\n\r\n", "b.example|b.example"),
            Arguments.of("GET / HTTP/1.1\r\nHost: b.example.:80\r\n\r\n", "b.example|b.example"),
            Arguments.of("GET / HTTP/1.1\r\nHost: [::1]:80\r\n\r\n", "[::1]|default"),
            Arguments.of("GET / HTTP/1.1\r\nHost: [::1]\r\n\r\n", "[::1]|default"),
            Arguments.of("GET / HTTP/1.1\r\nHost: [::1]x:8\r\n\r\n", "[::1]|default"),
            Arguments.of("GET / HTTP/1.1\r\nHost: [FE80::1]\r\n\r\n", "[fe80::1]|default"),
            Arguments.of("GET http://B.Example./ HTTP/1.1\r\nHost: other\r\n\r\n", "b.example|b.example"),
            Arguments.of("GET HTTP://B.EXAMPLE:0080/x HTTP/1.1\r\nHost: other\r\n\r\n", "b.example|b.example"),
            Arguments.of("GET http://b.example?x HTTP/1.1\r\nHost: other\r\n\r\n", "b.example|b.example"),
            Arguments.of("GET http://[::1]:80/ HTTP/1.1\r\nHost: b.example\r\n\r\n", "[::1]|default"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void theHostIsNormalisedAsNginxDoes(String request, String expected) {
        try (RawHttp c = new RawHttp(portico.port(8080))) {
            RawHttp.Response r = c.send(request).readResponse(false);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo(expected);
        }
    }

    static Stream<Arguments> refused() {
        return Stream.of(
            Arguments.of("GET / HTTP/1.1\r\nHost: a..b\r\n\r\n"),
            Arguments.of("GET / HTTP/1.1\r\nHost: a/b\r\n\r\n"),
            Arguments.of("GET / HTTP/1.1\r\nHost: .\r\n\r\n"),
            Arguments.of("GET / HTTP/1.1\r\nHost: :80\r\n\r\n"),
            Arguments.of("GET / HTTP/1.1\r\nHost: a:1..2\r\n\r\n"),
            Arguments.of("GET / HTTP/1.1\r\nHost: \r\n\r\n"),
            Arguments.of("GET http://b.example:80:81/ HTTP/1.1\r\nHost: b.example\r\n\r\n"),
            Arguments.of("GET http://b.example:8a/ HTTP/1.1\r\nHost: b.example\r\n\r\n"),
            Arguments.of("GET http://b_x.example/ HTTP/1.1\r\nHost: b.example\r\n\r\n"),
            Arguments.of("GET http://a..b/ HTTP/1.1\r\nHost: b.example\r\n\r\n"),
            Arguments.of("GET http://[::1/ HTTP/1.1\r\nHost: b.example\r\n\r\n"),
            Arguments.of("GET http://[::1]x/ HTTP/1.1\r\nHost: b.example\r\n\r\n"),
            Arguments.of("GET http://[::1%25lo]/ HTTP/1.1\r\nHost: b.example\r\n\r\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void anInvalidHostGets400(String request) {
        try (RawHttp c = new RawHttp(portico.port(8080))) {
            assertThat(c.send(request).readResponse(false).status()).isEqualTo(400);
        }
    }
}
