package dev.portico.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portico.config.ConfigException;
import dev.portico.testing.Await;
import dev.portico.testing.ProbeModule;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import dev.portico.variables.Template;
import dev.portico.variables.Variables;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * limit_rate and limit_rate_after: a response is paced at the rate once the first bytes are out,
 * and arrives whole; the rate may come from variables or from {@code set $limit_rate}, and
 * {@code $limit_rate} reads it back. Timings are lower bounds only.
 */
class LimitRateTest {
    private static final int SIZE = 150 * 1024;
    private static final int MID = 100 * 1024;

    /** $limit_rate as the log phase sees it, by the request's X-Id. */
    private static final Map<String, String> LOGGED = new ConcurrentHashMap<>();
    private static final ProbeModule LOG_RATE = ProbeModule.onEnd(ex -> {
        String id = ex.requestHeaders().get("X-Id");
        if (id != null) {
            try {
                LOGGED.put(id, Template.compile("$limit_rate", Variables.of(ex.snapshot().build())).render(ex));
            } catch (ConfigException e) {
                throw new IllegalStateException(e);
            }
        }
    });

    private static TestPortico portico(String limits) {
        return TestPortico.builder().conf("events {}\nhttp {\n server { listen 127.0.0.1:8080; root html;\n"
                + "  location /slow/ { " + limits + " }\n }\n}\n")
            .file("html/slow/big.bin", new byte[SIZE]).start();
    }

    /** A server whose body is given, with html/mid.bin (100 KiB) to fetch and $limit_rate logged. */
    private static TestPortico server(String http, String server) {
        return TestPortico.builder().modules(LOG_RATE)
            .conf("error_log logs/error.log info;\nevents {}\nhttp {\n" + http
                + " server { listen 127.0.0.1:8080; root html;\n" + server + "\n }\n}\n")
            .file("html/mid.bin", new byte[MID]).start();
    }

    private static long millisToFetch(TestPortico p) {
        return millisToFetch(p, "/slow/big.bin", "", SIZE);
    }

    private static long millisToFetch(TestPortico p, String target, String headers, int size) {
        long start = System.nanoTime();
        try (RawHttp c = new RawHttp(p.port(8080))) {
            RawHttp.Response r = c.send("GET " + target + " HTTP/1.1\r\nHost: a\r\n" + headers + "\r\n").readResponse(false);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).hasSize(size);
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    private static String get(TestPortico p, String target) {
        try (RawHttp c = new RawHttp(p.port(8080))) {
            return c.send("GET " + target + " HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false).bodyText();
        }
    }

    private static String logged(String id) {
        Await.until(Duration.ofSeconds(5), "the end of request " + id, () -> LOGGED.containsKey(id));
        return LOGGED.get(id);
    }

    @Test
    void aResponseIsPacedAtTheRate() {
        // 150 KiB at 50 KiB/s: about three seconds, never much less
        try (TestPortico p = portico("limit_rate 50k;")) {
            assertThat(millisToFetch(p)).isGreaterThanOrEqualTo(1500);
        }
    }

    @Test
    void theFirstBytesGoUnpacedWithLimitRateAfter() {
        // the last 50 KiB at 50 KiB/s: about a second
        try (TestPortico p = portico("limit_rate 50k; limit_rate_after 100k;")) {
            assertThat(millisToFetch(p)).isGreaterThanOrEqualTo(500);
        }
    }

    @Test
    void setLimitRateInALocationPacesItsResponses() {
        try (TestPortico p = server("", "location = /mid.bin { set $limit_rate 50k; }")) {
            // 100 KiB at 50 KiB/s: about two seconds
            assertThat(millisToFetch(p, "/mid.bin", "X-Id: set\r\n", MID)).isGreaterThanOrEqualTo(1000);
            assertThat(logged("set")).isEqualTo("51200");
        }
    }

    @Test
    void aRateFromAVariablePacesOneClientAndNotAnother() {
        try (TestPortico p = server(" map $http_x_slow $rate { default 0; 1 50k; }\n", "limit_rate $rate;")) {
            assertThat(millisToFetch(p, "/mid.bin", "X-Slow: 1\r\nX-Id: slow\r\n", MID)).isGreaterThanOrEqualTo(1000);
            assertThat(logged("slow")).isEqualTo("51200");
            millisToFetch(p, "/mid.bin", "X-Id: fast\r\n", MID);
            assertThat(logged("fast")).isEqualTo("0");
        }
    }

    @Test
    void limitRateAfterTakesVariablesToo() {
        try (TestPortico p = server("", "limit_rate 50k; limit_rate_after $arg_after;\n"
                + "location = /tiny { return 200 \"x\"; }")) {
            // the last 50 KiB at 50 KiB/s
            assertThat(millisToFetch(p, "/mid.bin?after=50k", "", MID)).isGreaterThanOrEqualTo(500);
            // rendered for each request: a value that is not a size is logged (and counts as 0)
            assertThat(get(p, "/tiny?after=soon")).isEqualTo("x");
            assertThat(p.errorLog()).contains("invalid size \"soon\"");
        }
    }

    @Test
    void limitRateReadsBackAsNginxKeepsIt() {
        try (TestPortico p = server("", "location = /set { set $limit_rate 10k; return 200 \"[$limit_rate]\"; }\n"
                + "location = /directive { limit_rate 10k; return 200 \"[$limit_rate]\"; }\n"
                + "location = /none { return 200 \"[$limit_rate]\"; }")) {
            assertThat(get(p, "/set")).isEqualTo("[10240]");
            // as nginx, the directive is evaluated when the response is written, after the text was made
            assertThat(get(p, "/directive")).isEqualTo("[0]");
            assertThat(get(p, "/none")).isEqualTo("[0]");
            try (RawHttp c = new RawHttp(p.port(8080))) {
                c.send("GET /directive HTTP/1.1\r\nHost: a\r\nX-Id: decided\r\n\r\n").readResponse(false);
            }
            assertThat(logged("decided")).isEqualTo("10240");
        }
    }

    @Test
    void aValueThatIsNotASizeMeansNoLimitAndIsLogged() {
        try (TestPortico p = server("", "location = /mid.bin { limit_rate $arg_r; }\n"
                + "location = /set { limit_rate 20k; set $limit_rate $arg_r; return 200 \"[$limit_rate]\"; }")) {
            millisToFetch(p, "/mid.bin?r=fast", "X-Id: bad\r\n", MID);
            assertThat(logged("bad")).isEqualTo("0");
            assertThat(p.errorLog()).contains("invalid size \"fast\"");
            // a bad "set" leaves the rate undecided: the directive still applies
            assertThat(get(p, "/set?r=slow")).isEqualTo("[0]");
            assertThat(p.errorLog()).contains("invalid $limit_rate \"slow\"");
            try (RawHttp c = new RawHttp(p.port(8080))) {
                c.send("GET /set?r=1x HTTP/1.1\r\nHost: a\r\nX-Id: directive\r\n\r\n").readResponse(false);
            }
            assertThat(logged("directive")).isEqualTo("20480");
        }
    }

    @Test
    void aConstantMustBeASizeWhenTheConfigurationLoads() {
        assertThatThrownBy(() -> TestPortico.load("events {}\nhttp { limit_rate 5x; }\n"))
            .hasMessageContaining("\"limit_rate\" directive invalid value");
        assertThatThrownBy(() -> TestPortico.load("events {}\nhttp { limit_rate_after $nope; }\n"))
            .hasMessageContaining("unknown \"nope\" variable");
        assertThatThrownBy(() -> TestPortico.load("events {}\nhttp { server { set $uri 1; } }\n"))
            .hasMessageContaining("the duplicate \"uri\" variable");
    }
}
