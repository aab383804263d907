package dev.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portico.config.ConfigException;
import dev.portico.testing.PortMap;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * proxy_next_upstream, _tries and _timeout with real backends that refuse, reset, answer with
 * an error status or too slowly; $upstream_addr and $upstream_status list every attempt.
 */
class FailoverTest {
    private final PortMap ports = new PortMap();
    /** Peer state lives by group and server name in the server (it survives reloads); a fresh name per test keeps logs apart. */
    private final String group = "g" + System.nanoTime();
    private final List<Backend> backends = new ArrayList<>();

    @AfterEach
    void closeBackends() {
        for (Backend b : backends) {
            b.close();
        }
    }

    private Backend backend(int original, Backend.Handler h) {
        Backend b = Backend.on(ports, original, h);
        backends.add(b);
        return b;
    }

    private TestPortico portico(String servers, String locationExtra) {
        return TestPortico.builder().ports(ports).conf("events {}\nhttp {\n upstream " + group + " { " + servers + " keepalive 0; }\n"
            + " server { listen 127.0.0.1:8080; location / { proxy_pass http://" + group + "; proxy_read_timeout 1s; "
            + "add_header X-Up \"$upstream_addr|$upstream_status\" always; " + locationExtra + " } }\n}\n").start();
    }

    private String addr(int original) {
        return "127.0.0.1:" + ports.get(original);
    }

    private static RawHttp.Response send(TestPortico p, String method, String body) throws Exception {
        try (RawHttp c = new RawHttp(p.port(8080))) {
            String req = method + " / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n"
                + (body == null ? "" : "Content-Length: " + body.length() + "\r\n") + "\r\n" + (body == null ? "" : body);
            return c.send(req).readResponse(method.equals("HEAD"));
        }
    }

    @Test
    void aRefusingServerIsPassedOverAndBothAttemptsAreListed() throws Exception {
        backend(17082, ex -> ex.send(200, "ok"));
        try (TestPortico p = portico("server 127.0.0.1:17081; server 127.0.0.1:17082;", "")) {
            RawHttp.Response r = send(p, "GET", null);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("X-Up")).isEqualTo(addr(17081) + ", " + addr(17082) + "|502, 200");
        }
    }

    @Test
    void aServerThatResetsIsPassedOver() throws Exception {
        backend(17081, ex -> ex.close());
        backend(17082, ex -> ex.send(200, "ok"));
        try (TestPortico p = portico("server 127.0.0.1:17081; server 127.0.0.1:17082;", "")) {
            RawHttp.Response r = send(p, "GET", null);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo("ok");
        }
    }

    @Test
    void aSlowServerTimesOutAndTheNextAnswers() throws Exception {
        backend(17081, ex -> {
            Thread.sleep(3000);
            ex.send(200, "late");
        });
        backend(17082, ex -> ex.send(200, "ok"));
        try (TestPortico p = portico("server 127.0.0.1:17081; server 127.0.0.1:17082;", "")) {
            RawHttp.Response r = send(p, "GET", null);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("X-Up")).endsWith("|504, 200");
        }
    }

    @ParameterizedTest
    @CsvSource({"503, http_503", "502, http_502", "500, http_500", "404, http_404", "429, http_429", "403, http_403"})
    void aListedStatusIsPassedToTheNextServer(int status, String value) throws Exception {
        backend(17081, ex -> ex.send(status, "bad"));
        backend(17082, ex -> ex.send(200, "ok"));
        try (TestPortico p = portico("server 127.0.0.1:17081; server 127.0.0.1:17082;",
            "proxy_next_upstream error timeout " + value + ";")) {
            RawHttp.Response r = send(p, "GET", null);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("X-Up")).isEqualTo(addr(17081) + ", " + addr(17082) + "|" + status + ", 200");
        }
    }

    @Test
    void anUnlistedStatusIsTheClientsAnswer() throws Exception {
        backend(17081, ex -> ex.send(503, "busy"));
        backend(17082, ex -> ex.send(200, "ok"));
        try (TestPortico p = portico("server 127.0.0.1:17081; server 127.0.0.1:17082;", "")) {
            RawHttp.Response r = send(p, "GET", null);
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.bodyText()).isEqualTo("busy");
        }
    }

    @Test
    void whenEveryServerAnswersTheListedStatusTheLastAnswerPasses() throws Exception {
        backend(17081, ex -> ex.send(503, "one"));
        backend(17082, ex -> ex.send(503, "two"));
        try (TestPortico p = portico("server 127.0.0.1:17081; server 127.0.0.1:17082;", "proxy_next_upstream http_503;")) {
            RawHttp.Response r = send(p, "GET", null);
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.header("X-Up")).endsWith("|503, 503");
        }
    }

    @Test
    void offMeansTheFirstFailureIsTheAnswer() throws Exception {
        backend(17082, ex -> ex.send(200, "ok"));
        try (TestPortico p = portico("server 127.0.0.1:17081; server 127.0.0.1:17082;", "proxy_next_upstream off;")) {
            RawHttp.Response r = send(p, "GET", null);
            assertThat(r.status()).isEqualTo(502);
            assertThat(r.header("X-Up")).isEqualTo(addr(17081) + "|502");
        }
    }

    @Test
    void triesLimitsTheNumberOfServersAsked() throws Exception {
        backend(17083, ex -> ex.send(200, "ok"));
        try (TestPortico p = portico("server 127.0.0.1:17081; server 127.0.0.1:17082; server 127.0.0.1:17083;",
            "proxy_next_upstream_tries 2;")) {
            RawHttp.Response r = send(p, "GET", null);
            assertThat(r.status()).isEqualTo(502);
            assertThat(r.header("X-Up")).isEqualTo(addr(17081) + ", " + addr(17082) + "|502, 502");
        }
    }

    @Test
    void backupServersCountAmongTheTries() throws Exception {
        backend(17084, ex -> ex.send(200, "backup"));
        String servers = "server 127.0.0.1:17081; server 127.0.0.1:17082; server 127.0.0.1:17083 backup; server 127.0.0.1:17084 backup;";
        try (TestPortico p = portico(servers, "")) {
            RawHttp.Response r = send(p, "GET", null);
            assertThat(r.bodyText()).isEqualTo("backup");
            assertThat(r.header("X-Up")).isEqualTo(addr(17081) + ", " + addr(17082) + ", " + addr(17083) + ", " + addr(17084)
                + "|502, 502, 502, 200");
        }
    }

    @Test
    void triesCountBackupServersInTheOrderTheyAreAsked() throws Exception {
        backend(17084, ex -> ex.send(200, "backup"));
        String servers = "server 127.0.0.1:17081; server 127.0.0.1:17082; server 127.0.0.1:17083 backup; server 127.0.0.1:17084 backup;";
        try (TestPortico p = portico(servers, "proxy_next_upstream_tries 3;")) {
            RawHttp.Response r = send(p, "GET", null);
            assertThat(r.status()).isEqualTo(502);
            assertThat(r.header("X-Up")).isEqualTo(addr(17081) + ", " + addr(17082) + ", " + addr(17083) + "|502, 502, 502");
        }
    }

    @Test
    void aDownServerIsNotATry() throws Exception {
        // two servers but one try: after the failure no further pick (and no "no live upstreams")
        try (TestPortico p = portico("server 127.0.0.1:17081; server 127.0.0.1:17082 down;", "")) {
            RawHttp.Response r = send(p, "GET", null);
            assertThat(r.status()).isEqualTo(502);
            assertThat(r.header("X-Up")).isEqualTo(addr(17081) + "|502");
            assertThat(p.errorLog()).doesNotContain("no live upstreams");
        }
    }

    @Test
    void everyResolvedAddressIsATry() throws Exception {
        java.util.Map<String, String> zone = new java.util.concurrent.ConcurrentHashMap<>();
        zone.put("app.test", "127.0.0.2 127.0.0.3");
        int port = ports.get(17081);
        try (TinyDns dns = new TinyDns(ports.get(15353), zone);
             TestPortico p = TestPortico.builder().ports(ports).conf("events {}\nhttp {\n resolver 127.0.0.1:15353;\n"
                 + " upstream " + group + " { zone z 64k; server app.test:" + port + " resolve; }\n"
                 + " server { listen 127.0.0.1:8080; add_header X-Up \"$upstream_addr|$upstream_status\" always;\n"
                 + "  location /dynamic { set $h app.test; proxy_pass http://$h:" + port + "; }\n"
                 + "  location /dynamic1 { set $h app.test; proxy_pass http://$h:" + port + "; proxy_next_upstream_tries 1; }\n"
                 + "  location /resolved { proxy_pass http://" + group + "; }\n"
                 + " }\n}\n").start()) {
            String both = "127.0.0.2:" + port + ", 127.0.0.3:" + port + "|502, 502";
            String reversed = "127.0.0.3:" + port + ", 127.0.0.2:" + port + "|502, 502";
            for (String path : new String[] {"/dynamic", "/resolved"}) {
                dev.portico.testing.Await.until(java.time.Duration.ofSeconds(10), "both addresses of " + path + " tried", () -> {
                    String up = get(p, path).header("X-Up");
                    return both.equals(up) || reversed.equals(up);
                });
            }
            assertThat(get(p, "/dynamic1").header("X-Up")).matches("127\\.0\\.0\\.[23]:" + port + "\\|502");
        }
    }

    private static RawHttp.Response get(TestPortico p, String path) {
        try (RawHttp c = new RawHttp(p.port(8080))) {
            return c.send("GET " + path + " HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").readResponse(false);
        }
    }

    @Test
    void nextUpstreamTimeoutStopsFurtherAttempts() throws Exception {
        backend(17081, ex -> {
            Thread.sleep(3000);
            ex.send(200, "late");
        });
        backend(17082, ex -> ex.send(200, "ok"));
        try (TestPortico p = portico("server 127.0.0.1:17081; server 127.0.0.1:17082;", "proxy_next_upstream_timeout 500ms;")) {
            RawHttp.Response r = send(p, "GET", null);
            assertThat(r.status()).isEqualTo(504);
            assertThat(r.header("X-Up")).endsWith("|504");
        }
    }

    @Test
    void postIsNotSentTwiceUnlessNonIdempotentIsListed() throws Exception {
        AtomicInteger firstSaw = new AtomicInteger();
        backend(17081, ex -> {
            firstSaw.incrementAndGet();
            ex.send(502, "bad gateway from the app");
        });
        backend(17082, ex -> ex.send(200, "ok " + ex.request.bodyText()));
        try (TestPortico p = portico("server 127.0.0.1:17081; server 127.0.0.1:17082;", "proxy_next_upstream http_502;")) {
            assertThat(send(p, "POST", "data").status()).isEqualTo(502);
            // GET passes on
            assertThat(send(p, "GET", null).status()).isEqualTo(200);
        }
        try (TestPortico p = portico("server 127.0.0.1:17081; server 127.0.0.1:17082;",
            "proxy_next_upstream http_502 non_idempotent;")) {
            RawHttp.Response r = send(p, "POST", "data");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).as("the buffered body is replayed").isEqualTo("ok data");
        }
    }

    @Test
    void aStreamedBodyIsNotReplayed() throws Exception {
        backend(17081, ex -> ex.send(502, "no"));
        backend(17082, ex -> ex.send(200, "ok"));
        try (TestPortico p = portico("server 127.0.0.1:17081; server 127.0.0.1:17082;",
            "proxy_request_buffering off; proxy_next_upstream http_502 non_idempotent;")) {
            RawHttp.Response r = send(p, "PUT", "streamed");
            assertThat(r.status()).isEqualTo(502);
            assertThat(r.header("X-Up")).isEqualTo(addr(17081) + "|502");
        }
    }

    @Test
    void failedServerIsLeftOutUntilFailTimeoutAndAllDownGivesNoLiveUpstreams() throws Exception {
        backend(17082, ex -> ex.send(200, "ok"));
        try (TestPortico p = portico("server 127.0.0.1:17081 max_fails=1 fail_timeout=30s; server 127.0.0.1:17082;", "")) {
            assertThat(send(p, "GET", null).header("X-Up")).isEqualTo(addr(17081) + ", " + addr(17082) + "|502, 200");
            for (int i = 0; i < 3; i++) {
                assertThat(send(p, "GET", null).header("X-Up")).isEqualTo(addr(17082) + "|200");
            }
        }
        try (TestPortico p = portico("server 127.0.0.1:17083 fail_timeout=30s; server 127.0.0.1:17084 fail_timeout=30s;", "")) {
            assertThat(send(p, "GET", null).status()).isEqualTo(502);
            RawHttp.Response r = send(p, "GET", null);
            // both failed a moment ago: nginx's "no live upstreams" resets them, so the next request tries again
            assertThat(r.status()).isEqualTo(502);
            assertThat(p.errorLog()).contains("no live upstreams");
            assertThat(send(p, "GET", null).header("X-Up")).contains(addr(17083).substring(0, 10));
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "proxy_next_upstream error sometimes;|invalid value \"sometimes\"",
        "proxy_next_upstream_tries x;|\"proxy_next_upstream_tries\" directive invalid number",
        "proxy_next_upstream_timeout x;|\"proxy_next_upstream_timeout\" directive invalid value",
    })
    void badValuesAreRefused(String line, String message) {
        assertThatThrownBy(() -> TestPortico.load("events {}\nhttp { " + line + " }\n"))
            .isInstanceOf(ConfigException.class).hasMessageContaining(message);
    }
}
