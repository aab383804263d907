package dev.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.config.ConfigException;
import dev.portico.testing.Await;
import dev.portico.testing.PortMap;
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
 * The backend's say on the rate ({@code X-Accel-Limit-Rate}, unless ignored) and
 * {@code proxy_limit_rate}, which paces reading the backend. Timings are lower bounds only.
 */
class ProxyLimitRateTest {
    private static final String BODY = "x".repeat(100 * 1024);
    private static final String BIG = "y".repeat(150 * 1024);

    /** Variables as the log phase sees them, by the request's X-Id. */
    private static final Map<String, String> LOGGED = new ConcurrentHashMap<>();
    private static final ProbeModule LOG = ProbeModule.onEnd(ex -> {
        String id = ex.requestHeaders().get("X-Id");
        if (id != null) {
            try {
                LOGGED.put(id, Template.compile("$limit_rate $upstream_response_time",
                    Variables.of(ex.snapshot().build())).render(ex));
            } catch (ConfigException e) {
                throw new IllegalStateException(e);
            }
        }
    });

    private static TestPortico portico(PortMap ports, String location) {
        return TestPortico.builder().ports(ports).modules(LOG)
            .conf("events {}\nhttp {\n server { listen 127.0.0.1:8080;\n"
                + "  location / { proxy_pass http://127.0.0.1:17081; " + location + " }\n }\n}\n").start();
    }

    /** The response, after checking it arrived whole; {@code millis[0]} gets the time it took. */
    private static RawHttp.Response fetch(TestPortico p, String target, String id, int size, long[] millis) {
        long start = System.nanoTime();
        try (RawHttp c = new RawHttp(p.port(8080))) {
            RawHttp.Response r = c.send("GET " + target + " HTTP/1.1\r\nHost: a\r\nX-Id: " + id + "\r\n\r\n").readResponse(false);
            millis[0] = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).hasSize(size);
            return r;
        }
    }

    private static String logged(String id) {
        Await.until(Duration.ofSeconds(5), "the end of request " + id, () -> LOGGED.containsKey(id));
        return LOGGED.get(id);
    }

    @Test
    void xAccelLimitRatePacesTheResponseAndStaysWithPortico() throws Exception {
        PortMap ports = new PortMap();
        try (Backend b = Backend.on(ports, 17081, ex -> ex.send(200, BODY, "X-Accel-Limit-Rate: 51200"));
             TestPortico p = portico(ports, "")) {
            long[] took = new long[1];
            RawHttp.Response r = fetch(p, "/", "accel", BODY.length(), took);
            // 100 KiB at 50 KiB/s: about two seconds
            assertThat(took[0]).isGreaterThanOrEqualTo(1000);
            assertThat(r.header("X-Accel-Limit-Rate")).isNull();
            assertThat(logged("accel")).startsWith("51200 ");
        }
    }

    @Test
    void xAccelLimitRateOverridesTheDirectiveAndZeroLiftsIt() throws Exception {
        PortMap ports = new PortMap();
        try (Backend b = Backend.on(ports, 17081, ex -> ex.send(200, "ok", "X-Accel-Limit-Rate: " + ex.request.header("X-Rate")));
             TestPortico p = portico(ports, "limit_rate 10k;")) {
            try (RawHttp c = new RawHttp(p.port(8080))) {
                c.send("GET / HTTP/1.1\r\nHost: a\r\nX-Rate: 0\r\nX-Id: zero\r\n\r\n").readResponse(false);
                // as nginx, only digits count: "off" or "10k" leave the location's rate
                c.send("GET / HTTP/1.1\r\nHost: a\r\nX-Rate: off\r\nX-Id: off\r\n\r\n").readResponse(false);
                c.send("GET / HTTP/1.1\r\nHost: a\r\nX-Rate: 2000\r\nX-Id: digits\r\n\r\n").readResponse(false);
            }
            assertThat(logged("zero")).startsWith("0 ");
            assertThat(logged("off")).startsWith("10240 ");
            assertThat(logged("digits")).startsWith("2000 ");
        }
    }

    @Test
    void proxyIgnoreHeadersTurnsXAccelLimitRateOff() throws Exception {
        PortMap ports = new PortMap();
        try (Backend b = Backend.on(ports, 17081, ex -> ex.send(200, BODY, "X-Accel-Limit-Rate: 1024"));
             TestPortico p = portico(ports, "proxy_ignore_headers X-Accel-Limit-Rate;")) {
            RawHttp.Response r = fetch(p, "/", "ignored", BODY.length(), new long[1]);
            assertThat(r.header("X-Accel-Limit-Rate")).isNull();
            assertThat(logged("ignored")).startsWith("0 ");
        }
    }

    @Test
    void proxyLimitRatePacesReadingTheBackend() throws Exception {
        PortMap ports = new PortMap();
        try (Backend b = Backend.on(ports, 17081, ex -> ex.send(200, BIG));
             TestPortico p = portico(ports, "proxy_limit_rate 50k;")) {
            long[] took = new long[1];
            fetch(p, "/", "read", BIG.length(), took);
            // nginx's allowance: 50 KiB in the first second, 50 KiB more at each next one
            assertThat(took[0]).isGreaterThanOrEqualTo(1500);
            // the backend was read that slowly, not only the client written to
            String[] v = logged("read").split(" ");
            assertThat(v[0]).isEqualTo("0");
            assertThat(Double.parseDouble(v[1])).isGreaterThanOrEqualTo(1.5);
        }
    }

    @Test
    void proxyLimitRateTakesVariables() throws Exception {
        PortMap ports = new PortMap();
        try (Backend b = Backend.on(ports, 17081, ex -> ex.send(200, BODY));
             TestPortico p = portico(ports, "proxy_limit_rate $arg_r;")) {
            long[] took = new long[1];
            fetch(p, "/?r=50k", "var", BODY.length(), took);
            assertThat(took[0]).isGreaterThanOrEqualTo(900);
            assertThat(Double.parseDouble(logged("var").split(" ")[1])).isGreaterThanOrEqualTo(0.9);
        }
    }
}
