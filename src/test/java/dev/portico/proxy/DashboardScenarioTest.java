package dev.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.PortMap;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import java.net.URI;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The brief's seed dashboard deployment (scenarios/seed/dashboard.conf, unchanged but ports):
 * the website at /, the dashboard with its websocket under /hub, two dashboard backends of
 * which the second takes over when the first is stopped, and no backend address in anything
 * the client receives.
 */
class DashboardScenarioTest {
    private static void assertNoBackendAddress(RawHttp.Response r, PortMap ports) {
        StringBuilder all = new StringBuilder(r.bodyText());
        for (String[] h : r.headers()) {
            all.append('\n').append(h[0]).append(": ").append(h[1]);
        }
        String text = all.toString();
        assertThat(text).doesNotContain("127.0.0.1")
            .doesNotContain(":" + ports.get(17081)).doesNotContain(":" + ports.get(17082)).doesNotContain(":" + ports.get(17083));
    }

    @Test
    void theSiteTheDashboardAndItsWebsocketWorkThroughOnePortAndTheSecondBackendTakesOver() throws Exception {
        PortMap ports = new PortMap();
        WsEchoServer dash1 = new WsEchoServer(ports.get(17082), "one");
        WsEchoServer dash2 = new WsEchoServer(ports.get(17083), "two");
        try (Backend site = Backend.on(ports, 17081, ex -> ex.send(200, "website", "X-Powered-By: cms"));
             TestPortico p = TestPortico.builder().ports(ports).conf(SeedScenariosTest.seed("dashboard.conf")).start();
             RawHttp c = new RawHttp(p.port(17080))) {
            RawHttp.Response home = c.send("GET / HTTP/1.1\r\nHost: yourpublicwebsite.com\r\n\r\n").readResponse(false);
            assertThat(home.bodyText()).isEqualTo("website");
            assertNoBackendAddress(home, ports);
            for (String path : new String[] {"/global", "/form/x"}) {
                RawHttp.Response r = c.send("GET " + path + " HTTP/1.1\r\nHost: yourpublicwebsite.com\r\n\r\n").readResponse(false);
                assertThat(r.status()).isEqualTo(302);
                assertThat(r.header("Location")).isEqualTo("http://yourpublicwebsite.com:" + p.port(17080) + "/global/home");
                assertThat(r.header("X-Powered-By")).isNull();
                assertNoBackendAddress(r, ports);
            }

            URI hub = URI.create("ws://127.0.0.1:" + p.port(17080) + "/hub");
            Set<Object> served = new HashSet<>();
            WebSocketTest.Client first = null;
            for (int i = 0; i < 2; i++) {
                WebSocketTest.Client ws = WebSocketTest.Client.open(hub);
                ws.ws.sendText("who", true).get(5, TimeUnit.SECONDS);
                served.add(ws.next());
                ws.ws.sendText("ping " + i, true).get(5, TimeUnit.SECONDS);
                assertThat(ws.next()).isEqualTo("ping " + i);
                if (first == null) {
                    first = ws;
                } else {
                    ws.ws.sendClose(1000, "").get(5, TimeUnit.SECONDS);
                }
            }
            assertThat(served).as("round robin over both dashboard backends").containsExactlyInAnyOrder("one", "two");

            dash1.close();
            for (int i = 0; i < 4; i++) {
                WebSocketTest.Client ws = WebSocketTest.Client.open(hub);
                ws.ws.sendText("who", true).get(5, TimeUnit.SECONDS);
                assertThat(ws.next()).as("new connections go to the live backend").isEqualTo("two");
                ws.ws.sendClose(1000, "").get(5, TimeUnit.SECONDS);
                assertThat(ws.closed.get(10, TimeUnit.SECONDS)).isEqualTo(1000);
            }
            RawHttp.Response r = c.send("GET /global HTTP/1.1\r\nHost: yourpublicwebsite.com\r\n\r\n").readResponse(false);
            assertThat(r.status()).isEqualTo(302);
            assertThat(r.header("X-Backend")).isEqualTo("two");

            dash2.close();
            RawHttp.Response down = c.send("GET /global HTTP/1.1\r\nHost: yourpublicwebsite.com\r\n\r\n").readResponse(false);
            assertThat(down.status()).isEqualTo(502);
            assertNoBackendAddress(down, ports);
            first.closed.get(10, TimeUnit.SECONDS);
        } finally {
            dash1.close();
            dash2.close();
        }
    }
}
