package dev.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.portico.testing.Await;
import dev.portico.testing.PortMap;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * auth_request in front of an application, with a real authentication service behind an
 * internal location: its 2xx lets the request through with the values auth_request_set took
 * from it, 401 and 403 refuse, anything else (an error, a redirect, a dead service) is a 500;
 * the request waits without holding an event loop.
 */
class AuthRequestTest {
    private static final String CONF = """
        error_log logs/error.log info;
        events {}
        http {
          server {
            listen 127.0.0.1:8080;
            location / {
              auth_request /_auth;
              auth_request_set $user $upstream_http_x_user;
              auth_request_set $auth_status $upstream_status;
              proxy_set_header X-User $user;
              proxy_pass http://127.0.0.1:17091;
              EXTRA
            }
            location = /_auth {
              internal;
              proxy_pass http://127.0.0.1:17090/check;
              proxy_pass_request_body off;
              proxy_set_header Content-Length "";
              proxy_set_header X-Original-URI $request_uri;
              proxy_set_header X-Original-Method $request_method;
            }
            location /open/ {
              auth_request off;
              proxy_pass http://127.0.0.1:17091;
            }
            location @login {
              return 302 http://login.example/?status=$auth_status&user=$user;
            }
          }
        }
        """;

    /** What the authentication service answers, by the Authorization the client sent. */
    private static void authService(Backend.Exchange ex) throws Exception {
        String auth = ex.request.header("Authorization");
        if (auth == null) {
            ex.raw("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer realm=\"apps\"\r\n"
                + "WWW-Authenticate: Basic realm=\"apps\"\r\nX-User: nobody\r\nContent-Length: 6\r\n\r\nlog in");
            return;
        }
        switch (auth) {
            case "Bearer good" -> ex.send(200, "ok", "X-User: alice");
            case "Bearer banned" -> ex.send(403, "no");
            case "Bearer broken" -> ex.send(500, "oops");
            case "Bearer moved" -> ex.send(302, "", "Location: /elsewhere");
            default -> ex.send(401, "who?");
        }
    }

    private static void app(Backend.Exchange ex) throws Exception {
        ex.send(200, "app saw " + ex.request.method() + " " + ex.request.target() + " as " + ex.request.header("X-User")
            + (ex.request.body() != null && ex.request.body().length > 0 ? " with " + ex.request.bodyText() : ""));
    }

    private static RawHttp.Response get(TestPortico p, String path, String authorization) {
        try (RawHttp c = new RawHttp(p.port(8080))) {
            return c.send("GET " + path + " HTTP/1.1\r\nHost: a\r\n"
                + (authorization == null ? "" : "Authorization: " + authorization + "\r\n") + "\r\n").readResponse(false);
        }
    }

    private static TestPortico start(PortMap ports, String extra) {
        return TestPortico.builder().ports(ports).conf(CONF.replace("EXTRA", extra)).start();
    }

    @Test
    void aTwoHundredLetsTheRequestThroughWithTheServicesValues() throws Exception {
        PortMap ports = new PortMap();
        try (Backend auth = Backend.on(ports, 17090, AuthRequestTest::authService);
             Backend app = Backend.on(ports, 17091, AuthRequestTest::app);
             TestPortico p = start(ports, "")) {
            RawHttp.Response r;
            try (RawHttp c = new RawHttp(p.port(8080))) {
                r = c.send("POST /orders?id=7 HTTP/1.1\r\nHost: shop\r\nAuthorization: Bearer good\r\nCookie: s=1\r\n"
                    + "Content-Length: 5\r\n\r\nhello").readResponse(false);
            }
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo("app saw POST /orders?id=7 as alice with hello");
            Backend.Request check = auth.requests.poll(5, TimeUnit.SECONDS);
            // a GET for the auth URI carrying the client's headers and where it was going, never its body
            assertThat(check.method()).isEqualTo("GET");
            assertThat(check.target()).isEqualTo("/check");
            assertThat(check.header("Authorization")).isEqualTo("Bearer good");
            assertThat(check.header("Cookie")).isEqualTo("s=1");
            assertThat(check.header("Host")).isEqualTo("127.0.0.1:" + ports.get(17090));
            assertThat(check.header("X-Original-URI")).isEqualTo("/orders?id=7");
            assertThat(check.header("X-Original-Method")).isEqualTo("POST");
            assertThat(check.header("Content-Length")).isNull();
            assertThat(check.header("Transfer-Encoding")).isNull();
            assertThat(check.body()).isEmpty();
        }
    }

    @Test
    void a401RefusesWithTheServicesChallengesAndTheApplicationIsNeverAsked() throws Exception {
        PortMap ports = new PortMap();
        try (Backend auth = Backend.on(ports, 17090, AuthRequestTest::authService);
             Backend app = Backend.on(ports, 17091, AuthRequestTest::app);
             TestPortico p = start(ports, "")) {
            RawHttp.Response r = get(p, "/", null);
            assertThat(r.status()).isEqualTo(401);
            assertThat(r.headers().stream().filter(h -> h[0].equalsIgnoreCase("WWW-Authenticate")).map(h -> h[1]))
                .containsExactly("Bearer realm=\"apps\"", "Basic realm=\"apps\"");
            assertThat(r.bodyText()).contains("401 Authorization Required").doesNotContain("log in");
            assertThat(get(p, "/", "Bearer banned").status()).isEqualTo(403);
            assertThat(get(p, "/", "Bearer wrong").status()).isEqualTo(401);
            assertThat(app.requests).isEmpty();
            assertThat(auth.requests).hasSize(3);
            assertThat(refusals(p, "unauthorized")).isEqualTo(2);
            assertThat(refusals(p, "forbidden")).isEqualTo(1);
        }
    }

    /** A counter of the auth_request line (line 7 of the configuration) for the status page. */
    private static long refusals(TestPortico p, String counter) {
        String line = p.prefix().resolve("conf/nginx.conf").toAbsolutePath().normalize() + ":7 auth_request /_auth";
        return dev.portico.security.Refusals.of(p.server().state()).rows().stream()
            .filter(r -> r.kind().equals("auth_request") && r.name().equals(line) && r.counter().equals(counter))
            .mapToLong(dev.portico.security.Refusals.Row::value).findFirst().orElseThrow();
    }

    @Test
    void anyOtherAnswerOrADeadServiceIsAServerError() throws Exception {
        PortMap ports = new PortMap();
        int dead = ports.get(17090);
        try (Backend app = Backend.on(ports, 17091, AuthRequestTest::app);
             TestPortico p = start(ports, "")) {
            assertThat(get(p, "/", "Bearer good").status()).isEqualTo(500);
            Await.until(Duration.ofSeconds(5), "the error log line", () -> p.errorLog().contains("auth request unexpected status: 502"));
            assertThat(p.errorLog()).contains("connect() failed (111: Connection refused) while connecting to upstream, client: 127.0.0.1, "
                + "server: , request: \"GET / HTTP/1.1\", subrequest: \"/_auth\", upstream: \"http://127.0.0.1:" + dead + "/check\"");
            try (Backend auth = Backend.on(ports, 17090, AuthRequestTest::authService)) {
                assertThat(get(p, "/", "Bearer broken").status()).isEqualTo(500);
                assertThat(get(p, "/", "Bearer moved").status()).isEqualTo(500);
                Await.until(Duration.ofSeconds(5), "the error log line", () -> p.errorLog().contains("auth request unexpected status: 302"));
                assertThat(p.errorLog()).contains("auth request unexpected status: 500");
            }
            assertThat(refusals(p, "failed")).isEqualTo(3);
            assertThat(app.requests).isEmpty();
        }
    }

    @Test
    void valuesAreSetOnARefusalTooForAnErrorPage() throws Exception {
        PortMap ports = new PortMap();
        try (Backend auth = Backend.on(ports, 17090, AuthRequestTest::authService);
             Backend app = Backend.on(ports, 17091, AuthRequestTest::app);
             TestPortico p = start(ports, "error_page 401 = @login;")) {
            RawHttp.Response r = get(p, "/", null);
            assertThat(r.status()).isEqualTo(302);
            assertThat(r.header("Location")).isEqualTo("http://login.example/?status=401&user=nobody");
        }
    }

    @Test
    void theInternalLocationIsNotReachableFromOutsideAndOffSwitchesItOff() throws Exception {
        PortMap ports = new PortMap();
        try (Backend auth = Backend.on(ports, 17090, AuthRequestTest::authService);
             Backend app = Backend.on(ports, 17091, AuthRequestTest::app);
             TestPortico p = start(ports, "")) {
            assertThat(get(p, "/_auth", "Bearer good").status()).isEqualTo(404);
            RawHttp.Response open = get(p, "/open/x", null);
            assertThat(open.status()).isEqualTo(200);
            assertThat(open.bodyText()).isEqualTo("app saw GET /open/x as null");
            assertThat(auth.requests).isEmpty();
        }
    }

    @Test
    void satisfyAnyLetsAnAllowedAddressSkipTheService() throws Exception {
        PortMap ports = new PortMap();
        try (Backend auth = Backend.on(ports, 17090, AuthRequestTest::authService);
             Backend app = Backend.on(ports, 17091, AuthRequestTest::app);
             TestPortico p = start(ports, "satisfy any; allow 127.0.0.1; deny all;");
             TestPortico q = TestPortico.builder().ports(ports).conf(CONF.replace("EXTRA", "satisfy any; deny all;")
                 .replace("127.0.0.1:8080", "127.0.0.1:8081")).start()) {
            assertThat(get(p, "/", null).status()).isEqualTo(200);
            assertThat(auth.requests).isEmpty();
            // denied by address, let through by the service
            try (RawHttp c = new RawHttp(q.port(8081))) {
                assertThat(c.send("GET / HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer good\r\n\r\n").readResponse(false).status())
                    .isEqualTo(200);
                assertThat(c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false).status()).isEqualTo(401);
            }
        }
    }

    @Test
    void eachRequestOfAKeepAliveConnectionIsAskedAbout() throws Exception {
        PortMap ports = new PortMap();
        try (Backend auth = Backend.on(ports, 17090, AuthRequestTest::authService);
             Backend app = Backend.on(ports, 17091, AuthRequestTest::app);
             TestPortico p = start(ports, "")) {
            try (RawHttp c = new RawHttp(p.port(8080))) {
                assertThat(c.send("GET /a HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer good\r\n\r\n").readResponse(false).status()).isEqualTo(200);
                assertThat(c.send("GET /b HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer banned\r\n\r\n").readResponse(false).status()).isEqualTo(403);
                assertThat(c.send("GET /c HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer good\r\n\r\n").readResponse(false).bodyText())
                    .isEqualTo("app saw GET /c as alice");
            }
            assertThat(auth.requests).hasSize(3);
        }
    }

    @Test
    void aSlowServiceHoldsNoEventLoopAndAClientThatLeavesIsForgotten() throws Exception {
        PortMap ports = new PortMap();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch asked = new CountDownLatch(1);
        try (Backend auth = Backend.on(ports, 17090, ex -> {
                if ("Bearer slow".equals(ex.request.header("Authorization"))) {
                    asked.countDown();
                    release.await(10, TimeUnit.SECONDS);
                    ex.send(200, "ok", "X-User: sloth");
                    return;
                }
                authService(ex);
            });
             Backend app = Backend.on(ports, 17091, AuthRequestTest::app);
             TestPortico p = TestPortico.builder().ports(ports).conf(CONF.replace("EXTRA", "")
                 .replace("events {}", "worker_processes 1;\nevents {}")).start()) {
            AtomicReference<RawHttp.Response> slow = new AtomicReference<>();
            Thread t = new Thread(() -> slow.set(get(p, "/slow", "Bearer slow")));
            t.start();
            assertThat(asked.await(5, TimeUnit.SECONDS)).isTrue();
            // one worker: the same event loops serve everybody else meanwhile
            for (int i = 0; i < 4; i++) {
                assertThat(get(p, "/fast", "Bearer good").status()).isEqualTo(200);
            }
            try (RawHttp leaving = new RawHttp(p.port(8080))) {
                leaving.send("GET /gone HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer slow\r\n\r\n");
                Await.until(Duration.ofSeconds(5), "the second slow check", () -> auth.requests.size() >= 6);
            }
            release.countDown();
            t.join(10_000);
            assertThat(slow.get().status()).isEqualTo(200);
            assertThat(get(p, "/after", "Bearer good").status()).isEqualTo(200);
            List<String> paths = app.requests.stream().map(Backend.Request::target).toList();
            assertThat(paths).contains("/slow", "/after").doesNotContain("/gone");
        }
    }

    @Test
    void authRequestSetRefusesBuiltinVariables() {
        assertThat(catchThrowable(() -> TestPortico.load("events {}\nhttp { server { auth_request_set $uri x; } }\n")))
            .hasMessageContaining("the duplicate \"uri\" variable");
    }
}
