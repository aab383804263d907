package dev.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portico.config.ConfigException;
import dev.portico.testing.Await;
import dev.portico.testing.PortMap;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** {@code server name resolve}: peers follow DNS while running, without a reload (a DNS server on loopback under test control). */
class ResolveTest {
    private static int status(TestPortico p) {
        try (RawHttp c = new RawHttp(p.port(8080))) {
            return c.send("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").readResponse(false).status();
        } catch (Exception e) {
            return -1;
        }
    }

    @Test
    void peersAreAddedAndRemovedWhenTheNameChanges() throws Exception {
        PortMap ports = new PortMap();
        Map<String, String> zone = new ConcurrentHashMap<>();
        int dnsPort = ports.get(15353);
        try (TinyDns dns = new TinyDns(dnsPort, zone); Backend b = Backend.on(ports, 17081, ex -> ex.send(200, "up"))) {
            String conf = "events {}\nhttp {\n resolver 127.0.0.1:15353 valid=1s;\n"
                + " upstream u { server app.test:" + ports.get(17081) + " resolve; keepalive 0; }\n"
                + " server { listen 127.0.0.1:8080; location / { proxy_pass http://u; } }\n}\n";
            try (TestPortico p = TestPortico.builder().ports(ports).conf(conf).start()) {
                // the name does not exist yet: no servers, nginx's "no live upstreams"
                assertThat(status(p)).isEqualTo(502);
                zone.put("app.test", "127.0.0.1");
                Await.until(Duration.ofSeconds(10), "the new address used", () -> status(p) == 200);
                assertThat(dns.queries.get()).isPositive();
                zone.remove("app.test");
                // the name is gone (NXDOMAIN): nginx keeps the last good answer
                Thread.sleep(2500);
                assertThat(status(p)).isEqualTo(200);
                zone.put("app.test", "127.0.0.2");
                Await.until(Duration.ofSeconds(10), "the old address dropped", () -> status(p) == 502);
            }
        }
    }

    @Test
    void resolveNeedsAResolver() {
        assertThatThrownBy(() -> TestPortico.load("events {}\nhttp { upstream u { server app.test resolve; } }\n"))
            .isInstanceOf(ConfigException.class).hasMessageContaining("no resolver defined to resolve app.test");
    }
}
