package dev.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.portico.lifecycle.ModuleList;
import dev.portico.testing.PortMap;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** proxy_intercept_errors: a backend error goes to error_page only when one matches; otherwise it passes. */
class InterceptErrorsTest {
    private static String conf(String extra, String serverExtra) {
        return "events {}\nhttp { server { listen 127.0.0.1:8080; " + serverExtra
            + " location / { proxy_pass http://127.0.0.1:17081; " + extra + " } } }\n";
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "proxy_intercept_errors on;"})
    void withoutAMatchingErrorPageTheBackendsOwnPagePasses(String extra) throws Exception {
        PortMap ports = new PortMap();
        try (Backend b = Backend.on(ports, 17081, ex -> ex.send(404, "backend says no", "Content-Type: text/plain"));
             TestPortico p = TestPortico.builder().ports(ports).conf(conf(extra, "")).start(); RawHttp c = new RawHttp(p.port(8080))) {
            RawHttp.Response r = c.send("GET /missing HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false);
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.bodyText()).isEqualTo("backend says no");
            RawHttp.Response again = c.send("GET /missing HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false);
            assertThat(again.bodyText()).isEqualTo("backend says no");
        }
    }

    @Test
    void aMatchingErrorPageReplacesTheBackendsAnswer() throws Exception {
        assumeTrue(ModuleList.table().get("error_page") != null, "error_page is not in this build yet");
        PortMap ports = new PortMap();
        try (Backend b = Backend.on(ports, 17081, ex -> ex.send(404, "backend says no", "Content-Type: text/plain"));
             TestPortico p = TestPortico.builder().ports(ports)
                 .conf(conf("proxy_intercept_errors on;", "error_page 404 /oops; location = /oops { return 404 \"our page\"; }"))
                 .start();
             RawHttp c = new RawHttp(p.port(8080))) {
            RawHttp.Response r = c.send("GET /missing HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false);
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.bodyText()).isEqualTo("our page");
        }
    }

    @Test
    void anIntercepted401KeepsTheBackendsChallenges() throws Exception {
        PortMap ports = new PortMap();
        try (Backend b = Backend.on(ports, 17081, ex -> ex.send(401, "who are you", "WWW-Authenticate: Basic realm=\"app\"",
                 "WWW-Authenticate: Bearer", "X-Other: dropped"));
             TestPortico p = TestPortico.builder().ports(ports)
                 .conf(conf("proxy_intercept_errors on;", "error_page 401 /login; location = /login { return 401 \"log in\"; }"))
                 .start();
             RawHttp c = new RawHttp(p.port(8080))) {
            RawHttp.Response r = c.send("GET /private HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false);
            assertThat(r.status()).isEqualTo(401);
            assertThat(r.bodyText()).isEqualTo("log in");
            assertThat(r.headers().stream().filter(h -> h[0].equalsIgnoreCase("WWW-Authenticate")).map(h -> h[1]))
                .containsExactly("Basic realm=\"app\"", "Bearer");
            assertThat(r.header("X-Other")).isNull();
        }
    }
}
