package dev.portico.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portico.config.ConfigException;
import dev.portico.testing.PortMap;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * listen with a port range (nginx 1.27.3+): {@code listen 127.0.0.1:8000-8003} listens on every
 * port of the range, as if each had its own listen; ends outside 1-65535 are "invalid port", a
 * first port above the last "invalid port range".
 */
class ListenPortRangeTest {
    /** The first of {@code n} consecutive ports free on the loopback address. */
    private static int freeRange(int n) throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int base = PortMap.freePort();
            if (base + n > 65535) {
                continue;
            }
            boolean free = true;
            for (int i = 1; i < n && free; i++) {
                try (ServerSocket s = new ServerSocket(base + i, 1, InetAddress.getLoopbackAddress())) {
                    s.setReuseAddress(true);
                } catch (IOException e) {
                    free = false;
                }
            }
            if (free) {
                return base;
            }
        }
        throw new IOException("no " + n + " consecutive free ports");
    }

    @Test
    void everyPortOfTheRangeIsServed() throws Exception {
        int base = freeRange(3);
        PortMap ports = new PortMap().keep(base).keep(base + 1).keep(base + 2);
        try (TestPortico p = TestPortico.builder().ports(ports).conf("events {}\nhttp { server { listen 127.0.0.1:"
            + base + "-" + (base + 2) + "; return 200 \"port $server_port\"; } }\n").start()) {
            for (int port = base; port <= base + 2; port++) {
                try (RawHttp c = new RawHttp(port)) {
                    assertThat(c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false).bodyText()).isEqualTo("port " + port);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "127.0.0.1:903-900 | invalid port range in \"127.0.0.1:903-900\" of the \"listen\" directive",
        "903-900           | invalid port range in \"903-900\" of the \"listen\" directive",
        "127.0.0.1:900-70000 | invalid port in \"127.0.0.1:900-70000\" of the \"listen\" directive",
        "127.0.0.1:0-900    | invalid port in \"127.0.0.1:0-900\" of the \"listen\" directive",
        "127.0.0.1:900-      | invalid port in \"127.0.0.1:900-\" of the \"listen\" directive",
        "[::1]:9-8           | invalid port range in \"[::1]:9-8\" of the \"listen\" directive",
    })
    void aBadRangeIsRefused(String listen, String message) {
        assertThatThrownBy(() -> TestPortico.load("events {}\nhttp { server { listen " + listen + "; } }\n"))
            .isInstanceOf(ConfigException.class)
            .satisfies(e -> assertThat(((ConfigException) e).bareMessage()).isEqualTo(message));
    }
}
