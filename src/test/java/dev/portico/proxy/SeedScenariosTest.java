package dev.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.portico.lifecycle.ModuleList;
import dev.portico.testing.PortMap;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The brief's configurations (../shared/scenarios/seed, copied verbatim under test resources)
 * in front of real backends; only the port numbers change.
 */
class SeedScenariosTest {
    static String seed(String name) {
        try (InputStream in = SeedScenariosTest.class.getResourceAsStream("/seed/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void simpleConfProxiesToTheWebsite() throws Exception {
        PortMap ports = new PortMap();
        try (Backend site = Backend.on(ports, 17081, ex -> ex.send(200, "website " + ex.request.target(), "Content-Type: text/html"));
             TestPortico p = TestPortico.builder().ports(ports).conf(seed("simple.conf")).start();
             RawHttp c = new RawHttp(p.port(17080))) {
            RawHttp.Response r = c.send("GET /about?lang=en HTTP/1.1\r\nHost: yourpublicwebsite.com\r\n\r\n").readResponse(false);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo("website /about?lang=en");
            Backend.Request req = site.take();
            assertThat(req.header("Host")).isEqualTo("127.0.0.1:" + ports.get(17081));
            assertThat(req.version()).isEqualTo("HTTP/1.1");
        }
    }

    @Test
    void applicationConfForwardsTheClientFacts() throws Exception {
        PortMap ports = new PortMap();
        try (Backend site = Backend.on(ports, 17081, ex -> ex.send(200, "app"));
             TestPortico p = TestPortico.builder().ports(ports)
                 .conf("events {}\nhttp {\n    include conf.d/*.conf;\n}\n")
                 .file("conf/conf.d/application.conf", seed("conf.d/application.conf")).start();
             RawHttp c = new RawHttp(p.port(17080))) {
            RawHttp.Response r = c.send("GET /page HTTP/1.1\r\nHost: yourpublicwebsite.com\r\nX-Forwarded-For: 203.0.113.9\r\n\r\n")
                .readResponse(false);
            assertThat(r.status()).isEqualTo(200);
            Backend.Request req = site.take();
            assertThat(req.header("Host")).isEqualTo("yourpublicwebsite.com");
            assertThat(req.header("X-Real-IP")).isEqualTo("127.0.0.1");
            assertThat(req.header("X-Forwarded-For")).isEqualTo("203.0.113.9, 127.0.0.1");
            assertThat(req.header("X-Forwarded-Proto")).isEqualTo("http");
            assertThat(req.header("Upgrade")).isNull();
            assertThat(req.header("Connection")).isEqualTo("upgrade");
            assertThat(r.bodyText()).isEqualTo("app");
        }
    }

    @Test
    void theShippedMainFileWithItsSiteFolderWorksUnchanged() throws Exception {
        assumeTrue(ModuleList.table().get("log_format") != null && ModuleList.table().get("access_log") != null,
            "log_format/access_log are not in this build yet");
        PortMap ports = new PortMap();
        try (Backend site = Backend.on(ports, 17081, ex -> ex.send(200, "app"));
             TestPortico p = TestPortico.builder().ports(ports).conf(seed("nginx.conf"))
                 .file("conf/conf.d/application.conf", seed("conf.d/application.conf")).start();
             RawHttp c = new RawHttp(p.port(17080))) {
            assertThat(c.send("GET / HTTP/1.1\r\nHost: yourpublicwebsite.com\r\n\r\n").readResponse(false).bodyText()).isEqualTo("app");
        }
    }

    @Test
    void dashboardConfServesTheSiteAndTheDashboardOverPlainHttpWithoutRevealingBackends() throws Exception {
        assumeTrue(ModuleList.table().get("map") != null, "map is not in this build yet");
        PortMap ports = new PortMap();
        try (Backend site = Backend.on(ports, 17081, ex -> ex.send(200, "website", "X-Powered-By: cms"));
             Backend dash1 = Backend.on(ports, 17082, ex -> ex.send(302, "", "Location: http://127.0.0.1:" + ports.get(17082)
                 + "/global/home", "X-Powered-By: dash"));
             Backend dash2 = Backend.on(ports, 17083, ex -> ex.send(302, "", "Location: http://127.0.0.1:" + ports.get(17083)
                 + "/global/home", "X-Powered-By: dash"));
             TestPortico p = TestPortico.builder().ports(ports).conf(seed("dashboard.conf")).start();
             RawHttp c = new RawHttp(p.port(17080))) {
            RawHttp.Response home = c.send("GET / HTTP/1.1\r\nHost: yourpublicwebsite.com\r\n\r\n").readResponse(false);
            assertThat(home.bodyText()).isEqualTo("website");
            assertThat(home.header("X-Powered-By")).isEqualTo("cms");
            assertThat(home.header("Server")).isEqualTo("portico");
            for (int i = 0; i < 2; i++) {
                RawHttp.Response dash = c.send("GET /global HTTP/1.1\r\nHost: yourpublicwebsite.com\r\n\r\n").readResponse(false);
                assertThat(dash.status()).isEqualTo(302);
                assertThat(dash.header("Location")).isEqualTo("http://yourpublicwebsite.com:" + p.port(17080) + "/global/home");
                assertThat(dash.header("X-Powered-By")).isNull();
            }
            assertThat(dash1.requests.size() + dash2.requests.size()).isEqualTo(2);
        }
    }
}
