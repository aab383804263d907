package dev.portico.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReturnTest {
    private static TestPortico p;

    @BeforeAll
    static void start() {
        p = TestPortico.start("""
            events {}
            http {
                server {
                    listen 127.0.0.1:8080;
                    server_name main.test alias.test;

                    location = /text { return 200 "hello $arg_n"; }
                    location = /json { default_type application/json; return 200 '{"a":1}'; }
                    location = /nocontent { return 204; }
                    location = /emptyok { return 200; }
                    location = /emptytext { return 200 ""; }
                    location = /notfound { return 404; }
                    location = /notfoundtext { return 404 "custom"; }
                    location = /notfoundempty { return 404 ""; }
                    location = /teapot { return 418; }
                    location = /servererror { return 500 "err $uri"; }
                    location = /rel301 { return 301 /elsewhere?x=1; }
                    location = /abs302 { return 302 http://example.com/a; }
                    location = /url { return http://example.com/b; }
                    location = /urls { return https://example.com/c; }
                    location = /scheme { return $scheme://example.com/d; }
                    location = /r303 { return 303 /see; }
                    location = /r307 { return 307 /temp; }
                    location = /r308 { return 308 /perm; }
                    location = /noloc { return 301; }
                    location = /close { return 444; }
                    location = /noabsolute { absolute_redirect off; return 301 /rel; }
                    location = /noport { port_in_redirect off; return 301 /rel; }
                    location = /servername { server_name_in_redirect on; return 301 /rel; }
                    location /inject/ { return 301 https://example.com$uri; }
                }
            }
            """);
    }

    @AfterAll
    static void stop() {
        p.close();
    }

    @ParameterizedTest(name = "{0} -> {1} [{2}] {3}")
    @CsvSource(delimiter = '|', value = {
        "/text?n=w       | 200 | text/plain       | hello w",
        "/json           | 200 | application/json | '{\"a\":1}'",
        "/emptyok        | 200 | text/plain       | ''",
        "/emptytext      | 200 | text/plain       | ''",
        "/notfoundtext   | 404 | text/plain       | custom",
        "/servererror    | 500 | text/plain       | err /servererror",
    })
    void codesWithTextSendTheText(String target, int status, String type, String body) {
        RawHttp.Response r = Requests.get(p, target);
        assertThat(r.status()).isEqualTo(status);
        assertThat(r.header("Content-Type")).isEqualTo(type);
        assertThat(r.bodyText()).isEqualTo(body);
        assertThat(r.header("Content-Length")).isEqualTo(String.valueOf(body.length()));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"/notfound, 404", "/notfoundempty, 404", "/teapot, 418"})
    void errorCodesWithoutTextAnswerLikeAnyError(String target, int status) {
        RawHttp.Response r = Requests.get(p, target);
        assertThat(r.status()).isEqualTo(status);
        if (status == 404) {
            assertThat(r.bodyText()).contains("<center><h1>404 Not Found</h1></center>");
        }
    }

    @Test
    void noContentHasNeitherBodyNorType() {
        RawHttp.Response r = Requests.get(p, "/nocontent");
        assertThat(r.status()).isEqualTo(204);
        assertThat(r.header("Content-Type")).isNull();
        assertThat(r.header("Content-Length")).isNull();
    }

    @ParameterizedTest(name = "{0} -> {1} {2}")
    @CsvSource(delimiter = '|', value = {
        "/rel301         | 301 | http://main.test:PORT/elsewhere?x=1",
        "/abs302         | 302 | http://example.com/a",
        "/url            | 302 | http://example.com/b",
        "/urls           | 302 | https://example.com/c",
        "/scheme         | 302 | http://example.com/d",
        "/r303           | 303 | http://main.test:PORT/see",
        "/r307           | 307 | http://main.test:PORT/temp",
        "/r308           | 308 | http://main.test:PORT/perm",
        "/noabsolute     | 301 | /rel",
        "/noport         | 301 | http://main.test/rel",
    })
    void redirectsCarryAnAbsoluteLocation(String target, int status, String location) {
        RawHttp.Response r = Requests.send(p, "GET", target, "main.test");
        assertThat(r.status()).isEqualTo(status);
        assertThat(r.header("Location")).isEqualTo(location.replace("PORT", String.valueOf(p.port(8080))));
        assertThat(r.header("Content-Type")).isEqualTo("text/html");
    }

    @Test
    void serverNameInRedirectUsesTheFirstServerName() {
        RawHttp.Response r = Requests.send(p, "GET", "/servername", "alias.test");
        assertThat(r.header("Location")).isEqualTo("http://main.test:" + p.port(8080) + "/rel");
        RawHttp.Response byHost = Requests.send(p, "GET", "/rel301", "alias.test");
        assertThat(byHost.header("Location")).startsWith("http://alias.test:");
    }

    @Test
    void aDecodedLineBreakCannotSplitTheResponse() {
        RawHttp.Response r = Requests.get(p, "/inject/a%0D%0AX-Injected:%20yes");
        assertThat(r.status()).isEqualTo(301);
        assertThat(r.header("Location")).isEqualTo("https://example.com/inject/a%0D%0AX-Injected:%20yes");
        assertThat(r.header("X-Injected")).isNull();
    }

    @Test
    void aRedirectWithoutUrlHasAnEmptyLocation() {
        RawHttp.Response r = Requests.get(p, "/noloc");
        assertThat(r.status()).isEqualTo(301);
        assertThat(r.header("Location")).isEmpty();
    }

    @Test
    void headAnswersTheLengthWithoutBody() {
        RawHttp.Response r = Requests.send(p, "HEAD", "/text?n=abc", "main.test");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Length")).isEqualTo("9");
    }

    @Test
    void code444ClosesWithoutAnswer() {
        try (RawHttp c = new RawHttp(p.port(8080))) {
            c.send("GET /close HTTP/1.1\r\nHost: main.test\r\n\r\n");
            assertThat(c.readUntilClose(5000)).isEmpty();
        }
    }
}
