package dev.portico.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ErrorPageTest {
    private static TestPortico p;

    @BeforeAll
    static void start() {
        p = TestPortico.start("""
            events {}
            http {
                error_page 418 /page?level=http;
                server {
                    listen 127.0.0.1:8080;
                    server_name localhost;
                    error_page 404 /page?level=server;
                    add_header X-Safe yes;

                    location = /page { return 200 "page $uri $args $request_method"; }
                    location = /created { return 201 "created"; }
                    location = /redirecting { return 302 /moved; }
                    location = /err404 { error_page 404 /page; return 404; }
                    location = /eq200 { error_page 404 =200 /page; return 404; }
                    location = /eqblank { error_page 404 = /created; return 404; }
                    location = /eqblankredirect { error_page 404 = /redirecting; return 404; }
                    location = /multi { error_page 500 502 =503 /page; return 502; }
                    location = /vars { error_page 404 /page?from=$uri; return 404; }
                    location = /named { error_page 404 @fallback; return 404; }
                    location = /namedmissing { error_page 404 @nowhere; return 404; }
                    location @fallback { return 200 "fallback $uri $request_method"; }
                    location = /url { error_page 404 http://example.com/nf; return 404; }
                    location = /url301 { error_page 404 =301 http://example.com/moved; return 404; }
                    location = /url200 { error_page 404 =200 http://example.com/x; return 404; }
                    location = /inherit { return 404; }
                    location = /httplevel { return 418; }
                    location = /own { error_page 500 /page; return 404; }
                    location = /missing { return 404; }
                    location = /notrecursive { error_page 404 /missing; return 404; }
                    location = /recursive { recursive_error_pages on; error_page 404 /missing2; return 404; }
                    location = /missing2 { recursive_error_pages on; error_page 404 /final; return 404; }
                    location = /final { return 200 "final"; }
                    location = /loop { recursive_error_pages on; error_page 404 /loop; return 404; }
                }
                server {
                    listen 127.0.0.1:8080;
                    server_name other.test;
                    if ($arg_teapot) { return 418; }
                    location = /page { return 200 "other page $args"; }
                    location = /httplevel { return 418; }
                }
            }
            """);
    }

    @AfterAll
    static void stop() {
        p.close();
    }

    @ParameterizedTest(name = "{0} -> {1} {2}")
    @CsvSource(delimiter = '|', value = {
        "/err404?a=1          | 404 | page /page  GET",
        "/eq200               | 200 | page /page  GET",
        "/eqblank             | 201 | created",
        "/multi               | 503 | page /page  GET",
        "/vars                | 404 | page /page from=/vars GET",
        "/named?k=v           | 404 | fallback /named GET",
        "/inherit             | 404 | page /page level=server GET",
        "/httplevel           | 418 | ''",
        "/recursive           | 404 | final",
    })
    void errorPagesAnswerErrors(String target, int status, String body) {
        RawHttp.Response r = Requests.get(p, target);
        assertThat(r.status()).isEqualTo(status);
        assertThat(r.bodyText()).isEqualTo(body);
    }

    @Test
    void aServerWithoutErrorPagesInheritsTheHttpOnes() {
        RawHttp.Response r = Requests.send(p, "GET", "/httplevel", "other.test");
        assertThat(r.status()).isEqualTo(418);
        assertThat(r.bodyText()).isEqualTo("other page level=http");
        RawHttp.Response fromServerRewrite = Requests.send(p, "GET", "/anything?teapot=1", "other.test");
        assertThat(fromServerRewrite.status()).isEqualTo(418);
        assertThat(fromServerRewrite.bodyText()).isEqualTo("other page level=http");
    }

    @Test
    void equalsAloneKeepsARedirectOfThePage() {
        RawHttp.Response r = Requests.get(p, "/eqblankredirect");
        assertThat(r.status()).isEqualTo(302);
        assertThat(r.header("Location")).isEqualTo("http://localhost:" + p.port(8080) + "/moved");
    }

    @Test
    void aPostBecomesAGetForTheErrorPage() {
        RawHttp.Response r = Requests.send(p, "POST", "/err404", "localhost");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.bodyText()).isEqualTo("page /page  GET");
    }

    @Test
    void aNamedLocationKeepsTheMethod() {
        RawHttp.Response r = Requests.send(p, "POST", "/named", "localhost");
        assertThat(r.bodyText()).isEqualTo("fallback /named POST");
    }

    @Test
    void headStaysHead() {
        RawHttp.Response r = Requests.send(p, "HEAD", "/err404", "localhost");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.header("Content-Length")).isEqualTo(String.valueOf("page /page  HEAD".length()));
    }

    @ParameterizedTest(name = "{0} -> {1} {2}")
    @CsvSource(delimiter = '|', value = {
        "/url     | 302 | http://example.com/nf",
        "/url301  | 301 | http://example.com/moved",
        "/url200  | 302 | http://example.com/x",
    })
    void aUrlIsARedirect(String target, int status, String location) {
        RawHttp.Response r = Requests.get(p, target);
        assertThat(r.status()).isEqualTo(status);
        assertThat(r.header("Location")).isEqualTo(location);
    }

    @Test
    void aLevelWithItsOwnErrorPagesDoesNotInheritTheOuterOnes() {
        RawHttp.Response r = Requests.get(p, "/own");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.bodyText()).contains("<center><h1>404 Not Found</h1></center>");
    }

    @Test
    void withoutRecursiveErrorPagesAnErrorOfThePageGetsTheBuiltinPage() {
        RawHttp.Response r = Requests.get(p, "/notrecursive");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.bodyText()).contains("<center><h1>404 Not Found</h1></center>");
    }

    @Test
    void aRecursiveLoopEndsAsACycle() {
        RawHttp.Response r = Requests.get(p, "/loop");
        assertThat(r.status()).isEqualTo(500);
        assertThat(p.errorLog()).contains("rewrite or internal redirection cycle while internally redirecting to \"/loop\", client: 127.0.0.1");
    }

    @Test
    void aMissingNamedLocationIs500() {
        RawHttp.Response r = Requests.get(p, "/namedmissing");
        assertThat(r.status()).isEqualTo(500);
        assertThat(p.errorLog()).contains("could not find named location \"@nowhere\"");
    }

    @Test
    void addHeaderSeesTheFinalStatus() {
        assertThat(Requests.get(p, "/eq200").header("X-Safe")).isEqualTo("yes");
        assertThat(Requests.get(p, "/err404").header("X-Safe")).isNull();
    }
}
