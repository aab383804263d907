package dev.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.FakeClock;
import dev.portico.testing.PortMap;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * fail_timeout is measured on the server's clock: a failed server stays out of rotation until
 * the clock has moved past the window, and no test has to wait for it.
 */
class FailTimeoutClockTest {
    @Test
    void aFailedServerComesBackWhenTheClockPassesFailTimeout() throws Exception {
        PortMap ports = new PortMap();
        FakeClock clock = new FakeClock();
        try (Backend live = Backend.on(ports, 17082, ex -> ex.send(200, "ok"));
             TestPortico p = TestPortico.builder().ports(ports).clock(clock).conf("events {}\nhttp {\n"
                 + " upstream g { server 127.0.0.1:17081 max_fails=1 fail_timeout=10s; server 127.0.0.1:17082; keepalive 0; }\n"
                 + " server { listen 127.0.0.1:8080; location / { proxy_pass http://g; add_header X-Up $upstream_addr always; } }\n}\n")
                 .start()) {
            String dead = "127.0.0.1:" + ports.get(17081);
            String up = "127.0.0.1:" + ports.get(17082);
            assertThat(upstreams(p)).isEqualTo(dead + ", " + up);
            for (int i = 0; i < 4; i++) {
                assertThat(upstreams(p)).as("within fail_timeout").isEqualTo(up);
            }
            clock.advance(9, TimeUnit.SECONDS);
            for (int i = 0; i < 4; i++) {
                assertThat(upstreams(p)).as("9 s later, still within fail_timeout").isEqualTo(up);
            }
            clock.advance(2, TimeUnit.SECONDS);
            // eligible again: round robin reaches it as its effective weight recovers (nginx lowers it on failure)
            StringBuilder seen = new StringBuilder();
            for (int i = 0; i < 10 && seen.indexOf(dead) < 0; i++) {
                seen.append(upstreams(p)).append(" / ");
            }
            assertThat(seen.toString()).contains(dead + ", " + up);
        }
    }

    private static String upstreams(TestPortico p) {
        try (RawHttp c = new RawHttp(p.port(8080))) {
            RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").readResponse(false);
            assertThat(r.status()).isEqualTo(200);
            return r.header("X-Up");
        }
    }
}
