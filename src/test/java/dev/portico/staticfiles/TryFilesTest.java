package dev.portico.staticfiles;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TryFilesTest {
    private static TestPortico p;

    @BeforeAll
    static void start() {
        p = TestPortico.builder().conf("""
                events {}
                http {
                    server {
                        listen 127.0.0.1:8080;
                        try_files /server.html =404;
                        location /std/ { try_files $uri $uri/ =404; }
                        location /uri/ { try_files $uri /app/entry; }
                        location /keep/ { try_files $uri /app/entry?$args&from=keep; }
                        location /app/ { return 200 "app uri=$uri args=[$args]"; }
                        location /named/ { try_files $uri @backend; }
                        location @backend { return 200 "named $uri $args"; }
                        location /code/ { try_files /nothing =403; }
                        location /alias/ { alias html/data/; try_files $uri =404; }
                        location /nested/ { try_files $uri =410; location /nested/inner/ { } }
                        location /dironly/ { try_files $uri/ =404; }
                    }
                }
                """)
            .file("html/server.html", "server level")
            .file("html/std/a.txt", "std a")
            .file("html/std/dir/index.html", "std dir index")
            .file("html/uri/exists.txt", "uri exists")
            .file("html/data/x.txt", "alias x")
            .file("html/dironly/d/index.html", "d index")
            .file("html/dironly/f.txt", "f")
            .start();
    }

    @AfterAll
    static void stop() {
        p.close();
    }

    private static RawHttp.Response get(String target) {
        try (RawHttp c = new RawHttp(p.port(8080))) {
            return c.send("GET " + target + " HTTP/1.1\r\nHost: localhost\r\n\r\n").readResponse(false);
        }
    }

    @ParameterizedTest(name = "{0} -> {1} {2}")
    @CsvSource(delimiter = '|', value = {
        "/std/a.txt | 200 | std a",
        "/std/dir/ | 200 | std dir index",
        "/std/missing | 404 | ",
        "/uri/exists.txt | 200 | uri exists",
        "/uri/missing?x=1 | 200 | app uri=/app/entry args=[]",
        "/keep/missing?x=1 | 200 | app uri=/app/entry args=[x=1&from=keep]",
        "/named/missing?q=2 | 200 | named /named/missing q=2",
        "/code/anything | 403 | ",
        "/alias/x.txt | 200 | alias x",
        "/alias/y.txt | 404 | ",
        "/dironly/d | 301 | ",
        "/dironly/d/ | 404 | ",
        "/dironly/f.txt | 404 | ",
        "/elsewhere | 200 | server level",
    })
    void eachParameterFormWorksAsNginx(String target, int status, String body) {
        RawHttp.Response r = get(target);
        assertThat(r.status()).isEqualTo(status);
        if (body != null) {
            assertThat(r.bodyText()).isEqualTo(body);
        }
    }

    @Test
    void directoryFoundWithoutSlashIsRedirected() {
        RawHttp.Response r = get("/std/dir");
        assertThat(r.status()).isEqualTo(301);
        assertThat(r.header("Location")).endsWith("/std/dir/");
    }

    @Test
    void tryFilesIsNotInheritedByNestedLocations() {
        assertThat(get("/nested/missing").status()).isEqualTo(410);
        assertThat(get("/nested/inner/missing").status()).isEqualTo(404);
    }
}
