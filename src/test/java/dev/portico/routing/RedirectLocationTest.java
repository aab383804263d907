package dev.portico.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Redirects as nginx sends them: a redirect status goes through {@code error_page} like an
 * error, its Location stays on the error page's response until {@code error_page ... =302 URL}
 * or a {@code return 302} of the error page replaces it (ngx_http_clear_location), and a
 * relative Location is made absolute by the header filter with the Host the client sent
 * (lower-cased, without port or trailing dot), the local address when there is none, or the
 * server's first name under {@code server_name_in_redirect on}.
 */
class RedirectLocationTest {
    private static TestPortico p;

    @BeforeAll
    static void start() {
        p = TestPortico.builder().conf("""
                events {}
                http {
                    server {
                        listen 127.0.0.1:8080;
                        server_name www.example.com;
                        location = /replaced { error_page 301 =302 http://other.example/; return 301 /first; }
                        location = /kept { error_page 301 /page.html; return 301 /first; }
                        location = /again { error_page 301 /second; return 301 /first; }
                        location = /second { return 302 /second-target; }
                        location = /rewritten { error_page 302 =307 http://other.example/r; rewrite ^ /elsewhere redirect; }
                        location /dir { error_page 301 =302 http://other.example/dir; }
                        location = /rel { return 302 /x; }
                        location = /noport { port_in_redirect off; return 302 /x; }
                        location = /byname { server_name_in_redirect on; return 302 /x; }
                        location = /relative { absolute_redirect off; return 302 /x; }
                    }
                }
                """)
            .file("html/page.html", "custom page")
            .file("html/dir/index.html", "dir")
            .start();
    }

    @AfterAll
    static void stop() {
        p.close();
    }

    private static String local(String path) {
        return "http://127.0.0.1:" + p.port(8080) + path;
    }

    @Test
    void errorPageWithRedirectCodeReplacesTheLocationOfTheRedirectItHandles() {
        RawHttp.Response r = Requests.get(p, "/replaced");
        assertThat(r.status()).isEqualTo(302);
        assertThat(r.header("Location")).isEqualTo("http://other.example/");
        assertThat(r.headers().stream().filter(h -> h[0].equalsIgnoreCase("Location")).count()).isEqualTo(1);
    }

    @Test
    void anErrorPageForARedirectKeepsItsLocationAndStatus() {
        RawHttp.Response r = Requests.send(p, "GET", "/kept", "www.example.com");
        assertThat(r.status()).isEqualTo(301);
        assertThat(r.bodyText()).isEqualTo("custom page");
        assertThat(r.header("Location")).isEqualTo("http://www.example.com:" + p.port(8080) + "/first");
        // a file sent with an error status: no Last-Modified, no Accept-Ranges, Range not honoured
        assertThat(r.header("Last-Modified")).isNull();
        assertThat(r.header("Accept-Ranges")).isNull();
        RawHttp.Response ranged = Requests.send(p, "GET", "/kept", "www.example.com", "Range: bytes=0-1");
        assertThat(ranged.status()).isEqualTo(301);
        assertThat(ranged.bodyText()).isEqualTo("custom page");
    }

    @Test
    void aReturnInTheErrorPageReplacesTheEarlierLocation() {
        RawHttp.Response r = Requests.get(p, "/again");
        assertThat(r.status()).isEqualTo(302);
        assertThat(r.headers().stream().filter(h -> h[0].equalsIgnoreCase("Location")).map(h -> h[1]))
            .containsExactly("http://localhost:" + p.port(8080) + "/second-target");
    }

    @Test
    void rewriteRedirectsAndDirectoryRedirectsGoThroughErrorPageToo() {
        RawHttp.Response r = Requests.get(p, "/rewritten");
        assertThat(r.status()).isEqualTo(307);
        assertThat(r.header("Location")).isEqualTo("http://other.example/r");
        RawHttp.Response d = Requests.get(p, "/dir");
        assertThat(d.status()).isEqualTo(302);
        assertThat(d.header("Location")).isEqualTo("http://other.example/dir");
    }

    @Test
    void theHostTheClientSentIsUsedLowerCasedWithoutItsPortAndTrailingDot() {
        RawHttp.Response r = Requests.send(p, "GET", "/rel", "Foo.Example.:999");
        assertThat(r.header("Location")).isEqualTo("http://foo.example:" + p.port(8080) + "/x");
    }

    @Test
    void withoutAHostTheLocalAddressIsUsedNotTheServerName() {
        try (RawHttp c = new RawHttp(p.port(8080))) {
            RawHttp.Response r = c.send("GET /rel HTTP/1.0\r\n\r\n").readResponse(false);
            assertThat(r.header("Location")).isEqualTo(local("/x"));
        }
    }

    @Test
    void serverNameInRedirectPortInRedirectAndAbsoluteRedirect() {
        assertThat(Requests.get(p, "/byname").header("Location")).isEqualTo("http://www.example.com:" + p.port(8080) + "/x");
        assertThat(Requests.get(p, "/noport").header("Location")).isEqualTo("http://localhost/x");
        assertThat(Requests.get(p, "/relative").header("Location")).isEqualTo("/x");
    }
}
