package dev.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.PortMap;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * X-Accel-Redirect as nginx's upstream module follows it: the backend's answer is dropped, the
 * request goes on at the URI it names (GET, the URI's own arguments), and Content-Type,
 * Set-Cookie, Content-Disposition, Cache-Control, Expires and Accept-Ranges of the backend's
 * head reach the client on the final response; an unsafe URI is a 404; proxy_intercept_errors
 * is weighed first; proxy_ignore_headers X-Accel-Redirect turns it off.
 */
class AccelRedirectTest {
    private static final PortMap PORTS = new PortMap();
    private static final String FULL_HEAD = String.join("\r\n", "Content-Type: application/x-custom",
        "Set-Cookie: a=1; Path=/app", "Set-Cookie: b=2", "Content-Disposition: attachment; filename=\"f.txt\"",
        "Cache-Control: private", "Cache-Control: max-age=5", "Expires: Thu, 01 Jan 2037 00:00:00 GMT",
        "Accept-Ranges: none", "X-Other: not carried", "ETag: \"backend\"");
    private static Backend backend;
    private static TestPortico p;

    @BeforeAll
    static void start() {
        backend = Backend.on(PORTS, 17081, ex -> {
            String t = ex.request.target();
            String to = t.substring(t.indexOf("to=") + 3);
            if (t.startsWith("/full")) {
                ex.send(200, "ignored", FULL_HEAD, "X-Accel-Redirect: " + to);
            } else if (t.startsWith("/notfound")) {
                ex.send(404, "backend 404", "X-Accel-Redirect: " + to);
            } else {
                ex.send(200, "ignored", "Content-Type: application/x-custom", "Set-Cookie: s=1; Path=/app",
                    "X-Accel-Redirect: " + to);
            }
        });
        p = TestPortico.builder().ports(PORTS).conf("""
                events {}
                http {
                    server {
                        listen 127.0.0.1:8080;
                        location /b/ { proxy_pass http://127.0.0.1:17081/; }
                        location /cookies/ { proxy_pass http://127.0.0.1:17081/; proxy_cookie_path /app /front; }
                        location /ignoring/ { proxy_pass http://127.0.0.1:17081/; proxy_ignore_headers X-Accel-Redirect; }
                        location /intercepting/ {
                            proxy_pass http://127.0.0.1:17081/;
                            proxy_intercept_errors on;
                            error_page 404 = /target;
                        }
                        location /files/ { internal; }
                        location = /target { internal; return 200 "target $request_method args=$args"; }
                        location @named { return 200 "named $uri"; }
                    }
                }
                """)
            .file("html/files/page.html", "the page")
            .start();
    }

    @AfterAll
    static void stop() {
        p.close();
        backend.close();
    }

    private static RawHttp.Response request(String method, String target) {
        try (RawHttp c = new RawHttp(p.port(8080))) {
            String body = method.equals("POST") ? "Content-Length: 3\r\n\r\nabc" : "\r\n";
            return c.send(method + " " + target + " HTTP/1.1\r\nHost: front\r\nConnection: close\r\n" + body)
                .readResponse(method.equals("HEAD"));
        }
    }

    private static List<String> all(RawHttp.Response r, String name) {
        return r.headers().stream().filter(h -> h[0].equalsIgnoreCase(name)).map(h -> h[1]).toList();
    }

    @Test
    void theFileIsSentWithTheFieldsNginxCarriesOverTheRedirect() {
        RawHttp.Response r = request("GET", "/b/full?to=/files/page.html");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.bodyText()).isEqualTo("the page");
        assertThat(r.header("Content-Type")).isEqualTo("application/x-custom");
        assertThat(all(r, "Set-Cookie")).containsExactly("a=1; Path=/app", "b=2");
        assertThat(r.header("Content-Disposition")).isEqualTo("attachment; filename=\"f.txt\"");
        assertThat(all(r, "Cache-Control")).containsExactly("private", "max-age=5");
        assertThat(r.header("Expires")).isEqualTo("Thu, 01 Jan 2037 00:00:00 GMT");
        // nginx lists the backend's field and the file's own
        assertThat(all(r, "Accept-Ranges")).containsExactly("none", "bytes");
        assertThat(r.header("X-Other")).isNull();
        assertThat(r.header("ETag")).isNotEqualTo("\"backend\"");
        assertThat(r.header("X-Accel-Redirect")).isNull();
    }

    @Test
    void theTargetRunsWithGetAndItsOwnArguments() {
        RawHttp.Response r = request("POST", "/b/x?keep=1&to=/target?z=9");
        assertThat(r.bodyText()).isEqualTo("target GET args=z=9");
        assertThat(r.header("Content-Type")).isEqualTo("application/x-custom");
        assertThat(r.header("Set-Cookie")).isEqualTo("s=1; Path=/app");
        // without "?" in the target the client's arguments are gone, as nginx's internal redirect
        assertThat(request("GET", "/b/x?keep=1&to=/target").bodyText()).isEqualTo("target GET args=");
    }

    @Test
    void aNamedLocationAndAPercentEncodedTarget() {
        assertThat(request("GET", "/b/x?to=@named").bodyText()).isEqualTo("named /b/x");
        assertThat(request("GET", "/b/x?to=/files/pa%67e.html").bodyText()).isEqualTo("the page");
    }

    @Test
    void aMissingTargetIsTheBuiltInPageWithTheCarriedFields() {
        RawHttp.Response r = request("GET", "/b/x?to=/files/none.html");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.header("Content-Type")).isEqualTo("text/html");
        assertThat(r.header("Set-Cookie")).isEqualTo("s=1; Path=/app");
    }

    @Test
    void anUnsafeTargetIsRefusedWith404() {
        RawHttp.Response r = request("GET", "/b/x?to=/files/%2e%2e/secret");
        assertThat(r.status()).isEqualTo(404);
        // the error log is written before the response goes out
        assertThat(p.errorLog()).contains("unsafe URI \"/files/../secret\" was detected"
            + " while reading response header from upstream");
        assertThat(request("GET", "/b/x?to=/files/../x").status()).isEqualTo(404);
    }

    @Test
    void proxyCookiePathAppliesToTheCarriedCookies() {
        assertThat(request("GET", "/cookies/x?to=/target").header("Set-Cookie")).isEqualTo("s=1; Path=/front");
    }

    @Test
    void interceptedErrorsComeFirst() {
        RawHttp.Response r = request("GET", "/intercepting/notfound?to=/files/page.html");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.bodyText()).isEqualTo("target GET args=");
    }

    @Test
    void proxyIgnoreHeadersTurnsItOff() {
        RawHttp.Response r = request("GET", "/ignoring/x?to=/target");
        assertThat(r.bodyText()).isEqualTo("ignored");
        assertThat(r.header("X-Accel-Redirect")).isNull();
    }
}
