package dev.portico.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** limit_rate and limit_rate_after: a response is paced at the rate once the first bytes are out, and arrives whole. */
class LimitRateTest {
    private static final int SIZE = 150 * 1024;

    private static TestPortico portico(String limits) {
        return TestPortico.builder().conf("events {}\nhttp {\n server { listen 127.0.0.1:8080; root html;\n"
                + "  location /slow/ { " + limits + " }\n }\n}\n")
            .file("html/slow/big.bin", new byte[SIZE]).start();
    }

    private static long millisToFetch(TestPortico p) {
        long start = System.nanoTime();
        try (RawHttp c = new RawHttp(p.port(8080))) {
            RawHttp.Response r = c.send("GET /slow/big.bin HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).hasSize(SIZE);
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
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
}
