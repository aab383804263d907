package dev.portico.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.portico.testing.FakeClock;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * limit_req through sockets, on a fake clock: nginx's leaky bucket (rate, burst, nodelay, delay),
 * refusals with limit_req_status and nginx's log line, delays suspended on a timer,
 * $limit_req_status, dry run, empty keys, and the zone kept across a reload.
 */
class LimitReqTest {
    private final FakeClock clock = new FakeClock();

    private static String conf(String zone, String limit) {
        return "error_log logs/error.log info;\nevents {}\nhttp {\n " + zone + "\n"
            + " server { listen 127.0.0.1:8080; root html; add_header X-L $limit_req_status always;\n"
            + "  location / { " + limit + " }\n  location /free/ { }\n }\n}\n";
    }

    private TestPortico start(String zone, String limit) {
        return TestPortico.builder().conf(conf(zone, limit)).clock(clock)
            .file("html/index.html", "page\n").file("html/free/index.html", "free\n").start();
    }

    private static String get(TestPortico p, String path, String extra) {
        try (RawHttp c = new RawHttp(p.port(8080))) {
            RawHttp.Response r = c.send("GET " + path + " HTTP/1.1\r\nHost: a\r\n" + extra + "\r\n").readResponse(false);
            return r.status() + " " + r.header("X-L");
        }
    }

    private static String get(TestPortico p) {
        return get(p, "/index.html", "");
    }

    @Test
    void oneRequestPerSecondWithoutBurst() {
        try (TestPortico p = start("limit_req_zone $binary_remote_addr zone=one:1m rate=1r/s;", "limit_req zone=one;")) {
            assertThat(get(p)).isEqualTo("200 PASSED");
            assertThat(get(p)).isEqualTo("503 REJECTED");
            assertThat(p.errorLog()).contains("[error]").contains("limiting requests, excess: 1.000 by zone \"one\", client: 127.0.0.1");
            clock.advance(999, TimeUnit.MILLISECONDS);
            assertThat(get(p)).isEqualTo("503 REJECTED");
            clock.advance(1, TimeUnit.MILLISECONDS);
            assertThat(get(p)).isEqualTo("200 PASSED");
            // another location is not limited
            assertThat(get(p, "/free/index.html", "")).isEqualTo("200 null");
        }
    }

    @Test
    void aBurstWithNodelayPassesAtOnceThenRefuses() {
        try (TestPortico p = start("limit_req_zone $binary_remote_addr zone=one:1m rate=2r/s;",
            "limit_req zone=one burst=2 nodelay; limit_req_status 429;")) {
            assertThat(get(p)).isEqualTo("200 PASSED");
            assertThat(get(p)).isEqualTo("200 PASSED");
            assertThat(get(p)).isEqualTo("200 PASSED");
            assertThat(get(p)).isEqualTo("429 REJECTED");
            clock.advance(500, TimeUnit.MILLISECONDS);
            assertThat(get(p)).isEqualTo("200 PASSED");
            assertThat(get(p)).isEqualTo("429 REJECTED");
        }
    }

    @Test
    void requestsOverDelayWaitOnATimerAndThenPass() {
        // 20 r/s: each excess request waits 50 ms of real time (the clock the bucket reads stays still)
        try (TestPortico p = start("limit_req_zone $binary_remote_addr zone=one:1m rate=20r/s;", "limit_req zone=one burst=5 delay=1;")) {
            assertThat(get(p)).isEqualTo("200 PASSED");
            assertThat(get(p)).isEqualTo("200 PASSED");
            long start = System.nanoTime();
            assertThat(get(p)).isEqualTo("200 DELAYED");
            assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(40));
            assertThat(p.errorLog()).contains("[warn]").contains("delaying request, excess: 2.000, by zone \"one\"");
        }
    }

    @Test
    void aDryRunCountsButNeverRefuses() {
        try (TestPortico p = start("limit_req_zone $binary_remote_addr zone=one:1m rate=1r/s;", "limit_req zone=one; limit_req_dry_run on;")) {
            assertThat(get(p)).isEqualTo("200 PASSED");
            assertThat(get(p)).isEqualTo("200 REJECTED_DRY_RUN");
            assertThat(p.errorLog()).contains("limiting requests, dry run, excess:");
        }
    }

    @Test
    void anEmptyKeyIsNotLimitedAndKeysAreApart() {
        try (TestPortico p = start("limit_req_zone $http_x_key zone=one:1m rate=1r/s;", "limit_req zone=one;")) {
            for (int i = 0; i < 3; i++) {
                assertThat(get(p, "/index.html", "")).startsWith("200");
            }
            assertThat(get(p, "/index.html", "X-Key: a\r\n")).isEqualTo("200 PASSED");
            assertThat(get(p, "/index.html", "X-Key: b\r\n")).isEqualTo("200 PASSED");
            assertThat(get(p, "/index.html", "X-Key: a\r\n")).isEqualTo("503 REJECTED");
        }
    }

    @Test
    void everyLimitOfALocationApplies() {
        try (TestPortico p = start("limit_req_zone $binary_remote_addr zone=ip:1m rate=1r/s;\n"
            + " limit_req_zone $http_x_user zone=user:1m rate=1r/s;", "limit_req zone=ip burst=5 nodelay; limit_req zone=user;")) {
            assertThat(get(p, "/index.html", "X-User: u\r\n")).isEqualTo("200 PASSED");
            assertThat(get(p, "/index.html", "X-User: u\r\n")).isEqualTo("503 REJECTED");
            assertThat(get(p, "/index.html", "X-User: v\r\n")).isEqualTo("200 PASSED");
        }
    }

    @Test
    void theBucketsSurviveAReloadAndAChangedKeyIsRefused() {
        String zone = "limit_req_zone $binary_remote_addr zone=one:1m rate=1r/s;";
        try (TestPortico p = start(zone, "limit_req zone=one;")) {
            assertThat(get(p)).isEqualTo("200 PASSED");
            assertThat(p.reload(conf(zone, "limit_req zone=one;"))).isNull();
            assertThat(get(p)).isEqualTo("503 REJECTED");
            assertThat(p.reload(conf("limit_req_zone $remote_addr zone=one:1m rate=1r/s;", "limit_req zone=one;")))
                .contains("limit_req \"one\" uses the \"$remote_addr\" key while previously it used the \"$binary_remote_addr\" key");
            // a changed rate is taken, as nginx takes it
            assertThat(p.reload(conf("limit_req_zone $binary_remote_addr zone=one:1m rate=100r/s;", "limit_req zone=one;"))).isNull();
            clock.advance(10, TimeUnit.MILLISECONDS);
            assertThat(get(p)).isEqualTo("200 PASSED");
        }
    }

    @Test
    void aFullZoneDropsItsLeastRecentlyUsedKeys() {
        // 32 KB: nginx's smallest zone, 512 keys of 64 bytes
        try (TestPortico p = start("limit_req_zone $http_x_key zone=one:32k rate=1r/m;", "limit_req zone=one;")) {
            for (int i = 0; i < 600; i++) {
                assertThat(get(p, "/index.html", "X-Key: k" + i + "\r\n")).isEqualTo("200 PASSED");
            }
            // k0 was dropped to make room: it starts afresh; k599 is still counted
            assertThat(get(p, "/index.html", "X-Key: k0\r\n")).isEqualTo("200 PASSED");
            assertThat(get(p, "/index.html", "X-Key: k599\r\n")).isEqualTo("503 REJECTED");
        }
    }

    @Test
    void eachZoneCountsWhatItDecidedAndKeepsItAcrossAReload() {
        String zones = "limit_req_zone $binary_remote_addr zone=one:1m rate=1r/s;\n"
            + " limit_req_zone $binary_remote_addr zone=two:1m rate=1r/s;";
        try (TestPortico p = start(zones, "limit_req zone=one;")) {
            assertThat(get(p)).isEqualTo("200 PASSED");
            for (int i = 0; i < 3; i++) {
                assertThat(get(p)).isEqualTo("503 REJECTED");
            }
            assertThat(RefusalRows.count(p, "limit_req", "one", "passed")).isEqualTo(1);
            assertThat(RefusalRows.count(p, "limit_req", "one", "rejected")).isEqualTo(3);
            assertThat(RefusalRows.count(p, "limit_req", "one", "delayed")).isZero();
            assertThat(RefusalRows.count(p, "limit_req", "two", "rejected")).isZero();

            // the zone is kept by the reload, and its counters with it
            assertThat(p.reload(conf(zones, "limit_req zone=one;"))).isNull();
            assertThat(RefusalRows.count(p, "limit_req", "one", "rejected")).isEqualTo(3);
            assertThat(get(p)).isEqualTo("503 REJECTED");
            assertThat(RefusalRows.count(p, "limit_req", "one", "rejected")).isEqualTo(4);

            // a zone no longer declared is no longer listed
            assertThat(p.reload(conf("limit_req_zone $binary_remote_addr zone=one:1m rate=1r/s;", "limit_req zone=one;"))).isNull();
            assertThat(RefusalRows.names(p, "limit_req")).containsExactly("one");
            assertThat(RefusalRows.count(p, "limit_req", "one", "passed")).isEqualTo(1);
        }
    }

    @Test
    void delaysAndDryRunsAreCountedApart() {
        String zone = "limit_req_zone $binary_remote_addr zone=one:1m rate=20r/s;";
        try (TestPortico p = start(zone, "limit_req zone=one burst=5 delay=1;")) {
            assertThat(get(p)).isEqualTo("200 PASSED");
            assertThat(get(p)).isEqualTo("200 PASSED");
            assertThat(get(p)).isEqualTo("200 DELAYED");
            assertThat(RefusalRows.count(p, "limit_req", "one", "passed")).isEqualTo(2);
            assertThat(RefusalRows.count(p, "limit_req", "one", "delayed")).isEqualTo(1);
        }
        try (TestPortico p = start(zone, "limit_req zone=one burst=2 delay=1; limit_req_dry_run on;")) {
            assertThat(get(p)).isEqualTo("200 PASSED");
            assertThat(get(p)).isEqualTo("200 PASSED");
            assertThat(get(p)).isEqualTo("200 DELAYED_DRY_RUN");
            assertThat(get(p)).isEqualTo("200 REJECTED_DRY_RUN");
            assertThat(RefusalRows.count(p, "limit_req", "one", "delayed_dry_run")).isEqualTo(1);
            assertThat(RefusalRows.count(p, "limit_req", "one", "rejected_dry_run")).isEqualTo(1);
            assertThat(RefusalRows.count(p, "limit_req", "one", "delayed")).isZero();
            assertThat(RefusalRows.count(p, "limit_req", "one", "rejected")).isZero();
        }
    }

    @Test
    void onlyTheZoneThatRefusesCountsTheRefusal() {
        try (TestPortico p = start("limit_req_zone $binary_remote_addr zone=ip:1m rate=1r/s;\n"
            + " limit_req_zone $http_x_user zone=user:1m rate=1r/s;", "limit_req zone=ip burst=5 nodelay; limit_req zone=user;")) {
            assertThat(get(p, "/index.html", "X-User: u\r\n")).isEqualTo("200 PASSED");
            assertThat(get(p, "/index.html", "X-User: u\r\n")).isEqualTo("503 REJECTED");
            // no key for "user": only "ip" decides
            assertThat(get(p, "/index.html", "")).isEqualTo("200 PASSED");
            assertThat(RefusalRows.count(p, "limit_req", "ip", "passed")).isEqualTo(2);
            assertThat(RefusalRows.count(p, "limit_req", "ip", "rejected")).isZero();
            assertThat(RefusalRows.count(p, "limit_req", "user", "passed")).isEqualTo(1);
            assertThat(RefusalRows.count(p, "limit_req", "user", "rejected")).isEqualTo(1);
        }
    }

    static Stream<Arguments> badConfigurations() {
        return Stream.of(
            Arguments.of("limit_req_zone $binary_remote_addr rate=1r/s;", "limit_req zone=one;",
                "\"limit_req_zone\" must have \"zone\" parameter"),
            Arguments.of("limit_req_zone $binary_remote_addr zone=one:1k rate=1r/s;", "limit_req zone=one;", "zone \"one\" is too small"),
            Arguments.of("limit_req_zone $binary_remote_addr zone=one:1m rate=1r/h;", "limit_req zone=one;", "invalid rate \"rate=1r/h\""),
            Arguments.of("limit_req_zone $binary_remote_addr zone=one:1m rate=1r/s;", "limit_req zone=two;",
                "zero size shared memory zone \"two\""),
            Arguments.of("limit_req_zone $binary_remote_addr zone=one:1m rate=1r/s;", "limit_req zone=one burst=x;",
                "invalid burst value \"x\""),
            Arguments.of("limit_req_zone $binary_remote_addr zone=one:1m rate=1r/s;", "limit_req burst=1;",
                "\"limit_req\" must have \"zone\" parameter"),
            Arguments.of("limit_req_zone $binary_remote_addr zone=one:1m rate=1r/s;", "limit_req zone=one; limit_req_status 200;",
                "value must be between 400 and 599"),
            Arguments.of("limit_req_zone $binary_remote_addr zone=one:1m rate=1r/s;\n limit_req_zone $uri zone=one:1m rate=1r/s;",
                "limit_req zone=one;", "limit_req_zone \"one\" is already bound to key \"$binary_remote_addr\""),
            Arguments.of("limit_req_zone $binary_remote_addr zone=one:1m rate=1r/s;\n limit_req_zone $uri zone=one:2m rate=1r/s;",
                "limit_req zone=one;", "the size 2097152 of shared memory zone \"one\" conflicts with already declared size 1048576"),
            Arguments.of("limit_req_zone $binary_remote_addr zone=one:1m rate=1r/s;\n limit_conn_zone $uri zone=one:1m;",
                "limit_req zone=one;", "the shared memory zone \"one\" is already declared for a different use"));
    }

    @ParameterizedTest(name = "{2}")
    @MethodSource("badConfigurations")
    void badConfigurationsAreRefusedWithNginxsMessage(String zone, String limit, String message) {
        assertThat(catchThrowable(() -> TestPortico.load(conf(zone, limit)))).hasMessageContaining(message);
    }
}
