package dev.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.PortMap;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * proxy_redirect on Location and Refresh; proxy_cookie_domain, proxy_cookie_path and
 * proxy_cookie_flags on Set-Cookie, which nginx writes anew ("; " between trimmed attributes)
 * whenever a rule applied, and leaves alone otherwise.
 */
class HeaderRewriteTest {
    private static final PortMap PORTS = new PortMap();
    private static Backend backend;
    private static TestPortico portico;

    @BeforeAll
    static void start() {
        backend = Backend.on(PORTS, 17081, ex -> {
            String loc = ex.request.header("X-Loc");
            String refresh = ex.request.header("X-Refresh");
            String cookie = ex.request.header("X-Cookie");
            if (loc != null) {
                ex.send(ex.request.target().contains("created") ? 201 : 302, "", "Location: " + loc);
            } else if (refresh != null) {
                ex.send(200, "", "Refresh: " + refresh);
            } else {
                ex.send(200, "", "Set-Cookie: " + cookie);
            }
        });
        String conf = """
            events {}
            http {
                upstream backend { server 127.0.0.1:17081; }
                server {
                    listen 127.0.0.1:8080;
                    location /one/ { proxy_pass http://127.0.0.1:17081/two/; }
                    location /plain/ { proxy_pass http://127.0.0.1:17081; }
                    location /off/ { proxy_pass http://127.0.0.1:17081; proxy_redirect off; }
                    location /explicit/ { proxy_pass http://backend;
                        proxy_redirect http://app.internal:8000/two/ http://frontend/one/;
                        proxy_redirect http://app.internal:8000/ /; }
                    location /vars/ { proxy_pass http://backend; proxy_redirect http://app.internal:8000/ http://$host:$server_port/; }
                    location /regex/ { proxy_pass http://backend; proxy_redirect ~^http://([^:/]+):\\d+(/.+)$ http://$1$2; }
                    location /iregex/ { proxy_pass http://backend; proxy_redirect ~*^HTTP://INTERNAL/(.*)$ /ext/$1; }
                    location /cookies/ { proxy_pass http://backend;
                        proxy_cookie_domain localhost example.org;
                        proxy_cookie_domain ~\\.([a-z]+\\.[a-z]+)$ $1;
                        proxy_cookie_path /two/ /;
                        proxy_cookie_path ~*^/OLD/(.*)$ /new/$1; }
                    location /flags/ { proxy_pass http://backend;
                        proxy_cookie_path /two/ /;
                        proxy_cookie_flags one httponly;
                        proxy_cookie_flags ~^t nosecure samesite=strict;
                        proxy_cookie_flags $arg_c $arg_f; }
                    location /flagsoff/ { proxy_pass http://backend; proxy_cookie_flags off; }
                    location /cookieoff/ { proxy_pass http://backend; proxy_cookie_domain off; proxy_cookie_domain a b; }
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

    private static RawHttp.Response get(String path, String header, String value) {
        try (RawHttp c = new RawHttp(portico.port(8080))) {
            return c.send("GET " + path + " HTTP/1.1\r\nHost: front\r\n" + header + ": " + value.replace("BACKEND", "127.0.0.1:"
                + PORTS.get(17081)) + "\r\n\r\n").readResponse(false);
        }
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
        "/one/x       | http://BACKEND/two/some/uri/   | http://front:PORT/one/some/uri/",
        "/one/created | http://BACKEND/two/new         | http://front:PORT/one/new",
        "/one/x       | http://BACKEND/elsewhere       | http://BACKEND/elsewhere",
        "/one/x       | /relative/stays                | /relative/stays",
        "/plain/x     | http://BACKEND/a/b?c=d         | http://front:PORT/a/b?c=d",
        "/off/x       | http://BACKEND/a               | http://BACKEND/a",
        "/explicit/x  | http://app.internal:8000/two/some | http://frontend/one/some",
        "/explicit/x  | http://app.internal:8000/other    | http://front:PORT/other",
        "/vars/x      | http://app.internal:8000/v        | http://front:PORT/v",
        "/regex/x     | http://inner:9000/path/to      | http://inner/path/to",
        "/iregex/x    | http://internal/Thing          | http://front:PORT/ext/Thing",
    })
    void locationIsRewritten(String path, String location, String expected) {
        RawHttp.Response r = get(path, "X-Loc", location);
        String want = expected.replace("PORT", Integer.toString(portico.port(8080)))
            .replace("BACKEND", "127.0.0.1:" + PORTS.get(17081));
        assertThat(r.header("Location")).isEqualTo(want);
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
        "/plain/x | 5; url=http://BACKEND/next  | 5; url=/next",
        "/plain/x | 5; URL=http://BACKEND/next  | 5; URL=/next",
        "/plain/x | 5                           | 5",
    })
    void refreshIsRewrittenAfterUrl(String path, String refresh, String expected) {
        assertThat(get(path, "X-Refresh", refresh).header("Refresh")).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{1} -> {2}")
    @CsvSource(delimiter = '|', value = {
        "/cookies/x   | a=b; Domain=localhost; Path=/two/x     | a=b; Domain=example.org; Path=/x",
        "/cookies/x   | a=b; domain=.LocalHost                 | a=b; domain=.example.org",
        "/cookies/x   | a=b; Domain=www.shop.com; HttpOnly     | a=b; Domain=shop.com; HttpOnly",
        "/cookies/x   | a=b; Path=/old/thing                   | a=b; Path=/new/thing",
        "/cookies/x   | a=b; Path=/other                       | a=b; Path=/other",
        "/cookies/x   | domain=localhost                       | domain=localhost",
        "/cookieoff/x | a=b; Domain=a                          | a=b; Domain=a",
        "/flags/x     | one=1                                  | one=1; HttpOnly",
        "/flags/x     | ONE = 1 ;Path=/two/x;  httponly        | ONE=1; Path=/x; httponly",
        "/flags/x     | one=1;HttpOnly                         | one=1; HttpOnly",
        "/flags/x     | two=2; Secure; SameSite=Lax; Path=/    | two=2; SameSite=Strict; Path=/",
        "/flags/x     | three=3; samesite=strict               | three=3; samesite=strict",
        "/flags/x     | Thing=4; secure                        | Thing=4; SameSite=Strict",
        "/flags/x     | other=5;  Secure                       | other=5;  Secure",
        "/flags/x     | one                                    | one",
        "/flags/x?c=v&f=samesite=none | v=1; SameSite=Lax      | v=1; SameSite=None",
        "/flags/x?c=v&f=bogus | v=1; Secure                    | v=1; Secure",
        "/flagsoff/x  | one=1                                  | one=1",
    })
    void setCookieAttributesAreRewritten(String path, String cookie, String expected) {
        assertThat(get(path, "X-Cookie", cookie).header("Set-Cookie")).isEqualTo(expected);
    }
}
