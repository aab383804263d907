package dev.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.portico.lifecycle.ModuleList;
import dev.portico.testing.PortMap;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The request URI the backend sees, for the location forms and proxy_pass forms nginx documents:
 * a URI part replaces the matched prefix of the normalised URI; without one the original target
 * passes unchanged; regex, named and variable cases as documented.
 */
class UriPassingTest {
    private static final PortMap PORTS = new PortMap();
    private static Backend backend;
    private static TestPortico portico;

    @BeforeAll
    static void start() {
        backend = Backend.on(PORTS, 17081, ex -> {
            String t = ex.request.target();
            if (t.startsWith("/accel/go")) {
                ex.send(200, "ignored", "X-Accel-Redirect: /internal/target?z=9");
            } else if (t.startsWith("/accel/named") && ex.request.header("X-Second") == null) {
                ex.send(200, "ignored", "X-Accel-Redirect: @named");
            } else {
                ex.send(200, t);
            }
        });
        String conf = """
            events {}
            http {
                upstream backend { server 127.0.0.1:17081; }
                server {
                    listen 127.0.0.1:8080;
                    location /name/ { proxy_pass http://127.0.0.1:17081/remote/; }
                    location /plain/ { proxy_pass http://127.0.0.1:17081; }
                    location /short { proxy_pass http://127.0.0.1:17081/long; }
                    location /strip/ { proxy_pass http://backend/; }
                    location = /exact { proxy_pass http://backend/other; }
                    location ~ ^/re/(.*)$ { proxy_pass http://backend; }
                    location ~ ^/var/(.*)$ { proxy_pass http://127.0.0.1:17081/new/$1; }
                    location /varnouri/ { proxy_pass http://$http_x_target; }
                    location /accel/ { proxy_pass http://backend; }
                    location /internal/ { internal; proxy_pass http://backend; }
                    location @named { proxy_pass http://backend; proxy_set_header X-Second 1; }
                    location ^~ /noregex/ { proxy_pass http://backend/nr/; }
                    location /query/ { proxy_pass http://backend/q?fixed=1; }
                }
            }
            """;
        portico = TestPortico.builder().ports(PORTS).conf(conf).start();
    }

    @AfterAll
    static void stop() {
        portico.close();
        backend.close();
    }

    private static RawHttp.Response get(String target, String extraHeaders) {
        try (RawHttp c = new RawHttp(portico.port(8080))) {
            return c.send("GET " + target + " HTTP/1.1\r\nHost: front\r\n" + extraHeaders + "\r\n").readResponse(false);
        }
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "/name/abc?q=1          | /remote/abc?q=1",
        "/name/a%20b            | /remote/a%20b",
        "/name/a%2Fb            | /remote/a/b",
        "/name/x/../y           | /remote/y",
        "/name//double          | /remote/double",
        "/plain/a%2Fb?x         | /plain/a%2Fb?x",
        "/plain/../plain/z?k=v  | /plain/../plain/z?k=v",
        "/plain//x              | /plain//x",
        "/short/abc             | /long/abc",
        "/shortxyz              | /longxyz",
        "/strip/abc?a=b         | /abc?a=b",
        "/exact                 | /other",
        "/exact?a=1             | /other?a=1",
        "/re/zz?k=v             | /re/zz?k=v",
        "/var/seg?k=v           | /new/seg",
        "/noregex/q             | /nr/q",
        "/query/x?y=2           | /q?fixed=1x?y=2",
        "http://front/name/abs  | /remote/abs",
        "http://front/plain/abs?t | /plain/abs?t",
    })
    void backendSeesTheDocumentedUri(String target, String expected) {
        RawHttp.Response r = get(target, "");
        assertThat(r.status()).as(portico.errorLog()).isEqualTo(200);
        assertThat(r.bodyText()).isEqualTo(expected);
    }

    @Test
    void variablesWithoutUriPartPassTheOriginalTargetToTheNamedUpstream() {
        RawHttp.Response r = get("/varnouri/p%20q?x=1", "X-Target: backend\r\n");
        assertThat(r.status()).as(portico.errorLog()).isEqualTo(200);
        assertThat(r.bodyText()).isEqualTo("/varnouri/p%20q?x=1");
    }

    @Test
    void afterAnInternalRedirectTheNewUriIsPassed() {
        RawHttp.Response r = get("/accel/go", "");
        assertThat(r.bodyText()).isEqualTo("/internal/target?z=9");
    }

    @Test
    void aNamedLocationPassesTheOriginalUri() {
        RawHttp.Response r = get("/accel/named?keep=1", "");
        assertThat(r.bodyText()).isEqualTo("/accel/named?keep=1");
    }

    @Test
    void internalLocationsAreNotReachableDirectly() {
        assertThat(get("/internal/x", "").status()).isEqualTo(404);
    }

    @Test
    void rewriteBreakPassesTheChangedUriWithoutTheUriPart() throws Exception {
        assumeTrue(ModuleList.table().get("rewrite") != null, "the rewrite directive is not in this build yet");
        PortMap ports = new PortMap();
        try (Backend b = Backend.on(ports, 17081, ex -> ex.send(200, ex.request.target()))) {
            String conf = """
                events {}
                http { server { listen 127.0.0.1:8080;
                    location /name/ { rewrite /name/([^/]+) /users?name=$1 break; proxy_pass http://127.0.0.1:17081; }
                    location /part/ { rewrite ^/part/(.*)$ /changed/$1 break; proxy_pass http://127.0.0.1:17081/replaced/; }
                } }
                """;
            try (TestPortico p = TestPortico.builder().ports(ports).conf(conf).start(); RawHttp c = new RawHttp(p.port(8080))) {
                assertThat(c.send("GET /name/bob HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false).bodyText())
                    .isEqualTo("/users?name=bob");
                assertThat(c.send("GET /part/x HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false).bodyText())
                    .isEqualTo("/changed/x");
            }
        }
    }
}
