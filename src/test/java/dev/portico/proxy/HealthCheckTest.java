package dev.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portico.config.ConfigException;
import dev.portico.testing.Await;
import dev.portico.testing.PortMap;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Active health checks against a backend whose health check answer the test flips. */
class HealthCheckTest {
    private final PortMap ports = new PortMap();
    /** Peer state lives by group and server name for the whole JVM (it survives reloads): a fresh name per test. */
    private final String group = "g" + System.nanoTime();
    private final List<Backend> backends = new ArrayList<>();
    /** What /health on 17081 answers: status, and a body. */
    private final AtomicInteger healthStatus = new AtomicInteger(200);
    private final AtomicReference<String> healthBody = new AtomicReference<>("ok");
    private final AtomicInteger checks = new AtomicInteger();

    @AfterEach
    void closeBackends() {
        for (Backend b : backends) {
            b.close();
        }
    }

    private void start() {
        backends.add(Backend.on(ports, 17081, ex -> {
            if (ex.request.target().equals("/health")) {
                checks.incrementAndGet();
                ex.send(healthStatus.get(), healthBody.get(), "X-State: " + (healthStatus.get() == 200 ? "up" : "down"));
            } else {
                ex.send(200, "17081");
            }
        }));
        // always healthy, whatever the match block asks for
        backends.add(Backend.on(ports, 17082, ex -> {
            if (ex.request.target().equals("/health")) {
                ex.send(200, "all good fine", "X-State: up");
            } else {
                ex.send(200, "17082");
            }
        }));
    }

    private String conf(String check, String extra) {
        return "events {}\nhttp {\n " + extra + "\n upstream " + group + " { server 127.0.0.1:17081; server 127.0.0.1:17082; keepalive 0; }\n"
            + " server { listen 127.0.0.1:8080; location / { proxy_pass http://" + group + "; health_check " + check + "; } }\n}\n";
    }

    private static List<String> answers(TestPortico p, int n) throws Exception {
        List<String> out = new ArrayList<>();
        try (RawHttp c = new RawHttp(p.port(8080))) {
            for (int i = 0; i < n; i++) {
                RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false);
                out.add(r.status() == 200 ? r.bodyText() : Integer.toString(r.status()));
            }
        }
        return out;
    }

    private static boolean only(TestPortico p, String backend) {
        try {
            return answers(p, 4).stream().allMatch(backend::equals);
        } catch (Exception e) {
            return false;
        }
    }

    private static boolean both(TestPortico p) {
        try {
            List<String> a = answers(p, 4);
            return a.contains("17081") && a.contains("17082");
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void aServerFailingItsChecksLeavesRotationAndReturnsAfterPasses() throws Exception {
        start();
        try (TestPortico p = TestPortico.builder().ports(ports).conf(conf("interval=100ms fails=2 passes=2 uri=/health", ""))
            .start()) {
            Await.until(Duration.ofSeconds(5), "a first check", () -> checks.get() > 0);
            assertThat(both(p)).isTrue();
            healthStatus.set(503);
            Await.until(Duration.ofSeconds(5), "17081 taken out", () -> only(p, "17082"));
            int seen = checks.get();
            healthStatus.set(200);
            Await.until(Duration.ofSeconds(5), "17081 back", () -> both(p));
            assertThat(checks.get() - seen).as("two passes needed").isGreaterThanOrEqualTo(2);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "status 200;|200|fine|true",
        "status 200;|204|fine|false",
        "status ! 500-599;|404|fine|true",
        "status 200-399;|302|fine|true",
        "header X-State = up;|200|fine|true",
        "header X-State = up;|500|fine|false",
        "header ! X-Missing;|200|fine|true",
        "header X-State ~ ^u;|200|fine|true",
        "body ~ \"all good\";|200|all good here|true",
        "body ~ \"all good\";|200|degraded|false",
        "body !~ degraded;|200|degraded|false",
        "status 200; body ~ fine;|200|fine|true",
    })
    void matchBlocksDecideWhatPasses(String conditions, int status, String body, boolean passes) throws Exception {
        healthStatus.set(status);
        healthBody.set(body);
        start();
        try (TestPortico p = TestPortico.builder().ports(ports)
            .conf(conf("interval=100ms uri=/health match=good", "match good { " + conditions + " }")).start()) {
            Await.until(Duration.ofSeconds(5), "two checks", () -> checks.get() >= 2);
            if (passes) {
                assertThat(both(p)).isTrue();
            } else {
                Await.until(Duration.ofSeconds(5), "17081 out", () -> only(p, "17082"));
            }
        }
    }

    @Test
    void mandatoryKeepsANewServerOutUntilItsFirstPass() throws Exception {
        healthStatus.set(500);
        start();
        try (TestPortico p = TestPortico.builder().ports(ports).conf(conf("interval=100ms uri=/health mandatory", "")).start()) {
            // every server waits for its first pass (17082 passes at once); 17081 never passed: never used
            Await.until(Duration.ofSeconds(5), "17082 in after its first pass", () -> only(p, "17082"));
            assertThat(answers(p, 4)).containsOnly("17082");
            healthStatus.set(200);
            Await.until(Duration.ofSeconds(5), "17081 in after a pass", () -> both(p));
        }
    }

    @Test
    void healthStateIsKeptAcrossAReload() throws Exception {
        start();
        String check = "interval=200ms fails=1 passes=3 uri=/health";
        try (TestPortico p = TestPortico.builder().ports(ports).conf(conf(check, "")).start()) {
            healthStatus.set(503);
            Await.until(Duration.ofSeconds(5), "17081 out", () -> only(p, "17082"));
            p.reload(conf(check, "# reloaded"));
            // still out right after the reload: its state is kept by group and server name
            assertThat(answers(p, 4)).containsOnly("17082");
            healthStatus.set(200);
            Await.until(Duration.ofSeconds(5), "17081 back", () -> both(p));
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "location / { health_check; }|health check requires an upstream group in \"proxy_pass\"",
        "location / { proxy_pass http://backend; health_check match=nope; }|match \"nope\" not found",
        "location / { proxy_pass http://backend; health_check interval=soon; }|invalid parameter \"interval=soon\"",
        "location / { proxy_pass http://backend; health_check fails=0; }|invalid parameter \"fails=0\"",
        "location / { proxy_pass http://backend; health_check persistent; }|\"persistent\" requires \"mandatory\"",
    })
    void badHealthCheckLinesAreRefused(String location, String message) {
        assertThatThrownBy(() -> TestPortico.load("events {}\nhttp { upstream backend { server 127.0.0.1:1; }\n"
            + " server { " + location + " } }\n")).isInstanceOf(ConfigException.class).hasMessageContaining(message);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "match m { status abc; }|invalid status \"abc\"",
        "match m { header X ?? y; }|invalid condition \"??\"",
        "match m { body ~ \"(\"; }|invalid regex \"(\"",
        "match m { colour red; }|unknown directive \"colour\"",
        "match m { status 200; } match m { status 200; }|duplicate match \"m\"",
    })
    void badMatchBlocksAreRefused(String block, String message) {
        assertThatThrownBy(() -> TestPortico.load("events {}\nhttp { " + block + " }\n"))
            .isInstanceOf(ConfigException.class).hasMessageContaining(message);
    }

    @Test
    void removingTheHealthCheckByReloadBringsServersBack() throws Exception {
        start();
        try (TestPortico p = TestPortico.builder().ports(ports).conf(conf("interval=100ms uri=/health", "")).start()) {
            healthStatus.set(503);
            Await.until(Duration.ofSeconds(5), "17081 out", () -> only(p, "17082"));
            p.reload("events {}\nhttp {\n upstream " + group + " { server 127.0.0.1:17081; server 127.0.0.1:17082; keepalive 0; }\n"
                + " server { listen 127.0.0.1:8080; location / { proxy_pass http://" + group + "; } }\n}\n");
            assertThat(both(p)).isTrue();
        }
    }
}
