package dev.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.PortMap;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** proxy_pass with variables: upstream names, addresses, names looked up at request time with the resolver. */
class DynamicProxyPassTest {
    private static String conf(String resolver) {
        return "events {}\nhttp {\n" + resolver + "\n upstream named_group { server 127.0.0.1:17081; }\n"
            + " server { listen 127.0.0.1:8080;\n"
            + "  location /byhost/ { proxy_pass http://$http_x_host:$http_x_port; }\n"
            + "  location /byurl/ { proxy_pass $http_x_url; }\n"
            + " }\n}\n";
    }

    private static RawHttp.Response get(TestPortico p, String path, String headers) {
        try (RawHttp c = new RawHttp(p.port(8080))) {
            return c.send("GET " + path + " HTTP/1.1\r\nHost: front\r\n" + headers + "\r\n").readResponse(false);
        }
    }

    @Test
    void aNameIsLookedUpWithTheResolverAtRequestTime() throws Exception {
        PortMap ports = new PortMap();
        try (TinyDns dns = new TinyDns(ports.get(15353), Map.of("app.test", "127.0.0.1"));
             Backend b = Backend.on(ports, 17081, ex -> ex.send(200, ex.request.target() + " " + ex.request.header("Host")));
             TestPortico p = TestPortico.builder().ports(ports).conf(conf("resolver 127.0.0.1:15353 valid=1s;")).start()) {
            RawHttp.Response r = get(p, "/byhost/x?y=1", "X-Host: app.test\r\nX-Port: " + ports.get(17081) + "\r\n");
            assertThat(r.status()).as(p.errorLog()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo("/byhost/x?y=1 app.test:" + ports.get(17081));
            assertThat(dns.queries.get()).isGreaterThan(0);

            RawHttp.Response missing = get(p, "/byhost/x", "X-Host: nope.test\r\nX-Port: 1\r\n");
            assertThat(missing.status()).isEqualTo(502);
            assertThat(missing.bodyText()).doesNotContain("nope.test");
            assertThat(p.errorLog()).contains("nope.test could not be resolved (3: Host not found)");
        }
    }

    @Test
    void withoutAResolverANameCannotBeUsed() throws Exception {
        PortMap ports = new PortMap();
        try (Backend b = Backend.on(ports, 17081, ex -> ex.send(200, "ok"));
             TestPortico p = TestPortico.builder().ports(ports).conf(conf("")).start()) {
            assertThat(get(p, "/byhost/x", "X-Host: app.test\r\nX-Port: 1\r\n").status()).isEqualTo(502);
            assertThat(p.errorLog()).contains("no resolver defined to resolve app.test");
            // addresses and upstream names need no resolver
            assertThat(get(p, "/byhost/x", "X-Host: 127.0.0.1\r\nX-Port: " + ports.get(17081) + "\r\n").status()).isEqualTo(200);
            assertThat(get(p, "/byurl/x", "X-Url: http://named_group/path\r\n").bodyText()).isEqualTo("ok");
        }
    }

    @Test
    void aUrlWithAWrongSchemeIs500() throws Exception {
        PortMap ports = new PortMap();
        try (TestPortico p = TestPortico.builder().ports(ports).conf(conf("")).start()) {
            assertThat(get(p, "/byurl/x", "X-Url: ftp://127.0.0.1/\r\n").status()).isEqualTo(500);
            assertThat(p.errorLog()).contains("invalid URL prefix in \"ftp://127.0.0.1/\"");
        }
    }

    @Test
    void aUriPartFromVariablesReplacesTheWholeUri() throws Exception {
        PortMap ports = new PortMap();
        try (Backend b = Backend.on(ports, 17081, ex -> ex.send(200, ex.request.target()));
             TestPortico p = TestPortico.builder().ports(ports).conf(conf("")).start()) {
            String url = "http://127.0.0.1:" + ports.get(17081) + "/fixed/path";
            assertThat(get(p, "/byurl/x?q=1", "X-Url: " + url + "\r\n").bodyText()).isEqualTo("/fixed/path");
        }
    }
}
