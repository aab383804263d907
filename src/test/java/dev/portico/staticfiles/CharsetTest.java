package dev.portico.staticfiles;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CharsetTest {
    private static TestPortico p;

    @BeforeAll
    static void start() {
        p = TestPortico.builder().conf("""
                events {}
                http {
                    types { text/html html; text/css css; image/png png; application/json json; }
                    charset utf-8;
                    source_charset utf-8;
                    override_charset off;
                    server {
                        listen 127.0.0.1:8080;
                        location / { }
                        location /css/ { charset_types text/css; }
                        location /all/ { charset_types *; }
                        location /off/ { charset off; }
                        location /koi/ { default_type "text/plain; charset=koi8-r"; }
                        location /ret/ { return 200 "text"; }
                        location /list/ { autoindex on; }
                        location /plainlist/ { autoindex on; charset off; }
                    }
                }
                """)
            .file("html/a.html", "a").file("html/s.css", "s").file("html/i.png", "i").file("html/d.json", "{}")
            .file("html/css/s.css", "s").file("html/css/a.html", "a")
            .file("html/all/i.png", "i")
            .file("html/off/a.html", "a")
            .file("html/koi/readme", "r")
            .file("html/list/\u00e9t\u00e9.txt", "x")
            .file("html/plainlist/\u00e9t\u00e9.txt", "x")
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

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "/a.html | text/html; charset=utf-8",
        "/s.css | text/css",
        "/i.png | image/png",
        "/d.json | application/json",
        "/css/s.css | text/css; charset=utf-8",
        "/css/a.html | text/html; charset=utf-8",
        "/all/i.png | image/png; charset=utf-8",
        "/off/a.html | text/html",
        "/koi/readme | text/plain; charset=koi8-r",
        "/ret/ | text/plain; charset=utf-8",
        "/missing.html | text/html; charset=utf-8",
    })
    void charsetIsAddedToTheConfiguredTypes(String target, String type) {
        assertThat(get(target).header("Content-Type")).isEqualTo(type);
    }

    @Test
    void utf8ListingPadsNamesByCharacters() {
        String utf8 = get("/list/").bodyText();
        String plain = get("/plainlist/").bodyText();
        String name = "\u00e9t\u00e9.txt";
        assertThat(utf8).contains(">" + name + "</a>" + " ".repeat(50 - 7) + " ");
        assertThat(plain).contains(">" + name + "</a>" + " ".repeat(50 - 9) + " ");
    }
}
