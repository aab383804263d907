package dev.portico.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.portico.http.Exchange;
import dev.portico.http.Phase;
import dev.portico.http.PhaseHandler;
import dev.portico.http.RequestProcessor;
import dev.portico.testing.ProbeModule;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * limit_conn through sockets: a key holds as many places as it has requests in progress, a
 * request over the number is refused, places come back when requests end (keep-alive requests
 * count one at a time), and the counts survive a reload. A probe module holds requests in the
 * access phase (after limit_conn has counted them) to keep them in progress.
 */
class LimitConnTest {
    private final BlockingQueue<Exchange> held = new LinkedBlockingQueue<>();
    private final ProbeModule holding = ProbeModule.handler(Phase.ACCESS, ex -> {
        if (!ex.requestHeaders().contains("X-Hold")) {
            return PhaseHandler.DECLINED;
        }
        held.add(ex);
        return PhaseHandler.AGAIN;
    });

    private static String conf(String limit) {
        return "error_log logs/error.log info;\nevents {}\nhttp {\n limit_conn_zone $binary_remote_addr zone=addr:1m;\n"
            + " server { listen 127.0.0.1:8080; root html; add_header X-L $limit_conn_status always;\n"
            + "  location / { " + limit + " }\n }\n}\n";
    }

    private TestPortico start(String limit) {
        return TestPortico.builder().conf(conf(limit)).file("html/index.html", "page\n").modules(holding).start();
    }

    private static String get(TestPortico p) {
        try (RawHttp c = new RawHttp(p.port(8080))) {
            RawHttp.Response r = c.send("GET /index.html HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false);
            return r.status() + " " + r.header("X-L");
        }
    }

    private Exchange hold(RawHttp c) throws InterruptedException {
        c.send("GET /index.html HTTP/1.1\r\nHost: a\r\nX-Hold: 1\r\n\r\n");
        Exchange ex = held.poll(10, TimeUnit.SECONDS);
        assertThat(ex).as("request held").isNotNull();
        return ex;
    }

    private static void release(Exchange ex) {
        ex.eventLoop().execute(() -> RequestProcessor.resume(ex, PhaseHandler.DECLINED));
    }

    @Test
    void aKeyGetsAsManyPlacesAsItsNumberAndThemBackWhenRequestsEnd() throws Exception {
        try (TestPortico p = start("limit_conn addr 1;"); RawHttp first = new RawHttp(p.port(8080))) {
            Exchange ex = hold(first);
            assertThat(get(p)).isEqualTo("503 REJECTED");
            assertThat(p.errorLog()).contains("[error]").contains("limiting connections by zone \"addr\", client: 127.0.0.1");
            release(ex);
            RawHttp.Response r = first.readResponse(false);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("X-L")).isEqualTo("PASSED");
            assertThat(get(p)).isEqualTo("200 PASSED");
        }
    }

    @Test
    void keepAliveRequestsCountOneAtATime() {
        try (TestPortico p = start("limit_conn addr 1;"); RawHttp c = new RawHttp(p.port(8080))) {
            for (int i = 0; i < 3; i++) {
                RawHttp.Response r = c.send("GET /index.html HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false);
                assertThat(r.status()).isEqualTo(200);
            }
        }
    }

    @Test
    void theStatusAndTheDryRun() throws Exception {
        try (TestPortico p = start("limit_conn addr 1; limit_conn_status 429;"); RawHttp first = new RawHttp(p.port(8080))) {
            Exchange ex = hold(first);
            assertThat(get(p)).isEqualTo("429 REJECTED");
            release(ex);
        }
        try (TestPortico p = start("limit_conn addr 1; limit_conn_dry_run on;"); RawHttp first = new RawHttp(p.port(8080))) {
            Exchange ex = hold(first);
            assertThat(get(p)).isEqualTo("200 REJECTED_DRY_RUN");
            assertThat(p.errorLog()).contains("limiting connections, dry run, by zone \"addr\"");
            release(ex);
        }
    }

    @Test
    void countsSurviveAReload() throws Exception {
        try (TestPortico p = start("limit_conn addr 1;"); RawHttp first = new RawHttp(p.port(8080))) {
            Exchange ex = hold(first);
            assertThat(p.reload(conf("limit_conn addr 1;"))).isNull();
            assertThat(get(p)).isEqualTo("503 REJECTED");
            release(ex);
            assertThat(first.readResponse(false).status()).isEqualTo(200);
            assertThat(get(p)).isEqualTo("200 PASSED");
        }
    }

    @Test
    void refusalsAreCountedPerZoneAndSurviveAReload() throws Exception {
        try (TestPortico p = start("limit_conn addr 1;"); RawHttp first = new RawHttp(p.port(8080))) {
            Exchange ex = hold(first);
            for (int i = 0; i < 3; i++) {
                assertThat(get(p)).isEqualTo("503 REJECTED");
            }
            assertThat(RefusalRows.count(p, "limit_conn", "addr", "passed")).isEqualTo(1);
            assertThat(RefusalRows.count(p, "limit_conn", "addr", "rejected")).isEqualTo(3);
            assertThat(p.reload(conf("limit_conn addr 1;"))).isNull();
            assertThat(get(p)).isEqualTo("503 REJECTED");
            assertThat(RefusalRows.count(p, "limit_conn", "addr", "rejected")).isEqualTo(4);
            assertThat(RefusalRows.count(p, "limit_conn", "addr", "rejected_dry_run")).isZero();
            release(ex);
            assertThat(first.readResponse(false).status()).isEqualTo(200);
        }
        try (TestPortico p = start("limit_conn addr 1; limit_conn_dry_run on;"); RawHttp first = new RawHttp(p.port(8080))) {
            Exchange ex = hold(first);
            assertThat(get(p)).isEqualTo("200 REJECTED_DRY_RUN");
            assertThat(get(p)).isEqualTo("200 REJECTED_DRY_RUN");
            assertThat(RefusalRows.count(p, "limit_conn", "addr", "rejected_dry_run")).isEqualTo(2);
            assertThat(RefusalRows.count(p, "limit_conn", "addr", "rejected")).isZero();
            release(ex);
            assertThat(first.readResponse(false).status()).isEqualTo(200);
        }
    }

    static Stream<Arguments> badConfigurations() {
        return Stream.of(
            Arguments.of("limit_conn addr 0;", "invalid number of connections \"0\""),
            Arguments.of("limit_conn addr 70000;", "connection limit must be less 65536"),
            Arguments.of("limit_conn other 1;", "zero size shared memory zone \"other\""),
            Arguments.of("limit_conn addr 1; limit_conn addr 2;", "\"limit_conn\" directive is duplicate"),
            Arguments.of("limit_conn addr 1; limit_conn_status 302;", "value must be between 400 and 599"),
            Arguments.of("limit_conn addr 1; limit_conn_log_level crit;", "invalid value \"crit\""));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("badConfigurations")
    void badConfigurationsAreRefusedWithNginxsMessage(String limit, String message) {
        assertThat(catchThrowable(() -> TestPortico.load(conf(limit)))).hasMessageContaining(message);
    }

    @Test
    void aChangedKeyIsRefusedOnReload() {
        try (TestPortico p = start("limit_conn addr 1;")) {
            assertThat(p.reload(conf("limit_conn addr 1;").replace("$binary_remote_addr", "$remote_addr")))
                .contains("limit_conn_zone \"addr\" uses the \"$remote_addr\" key while previously it used the \"$binary_remote_addr\" key");
        }
    }
}
