package dev.portico.staticfiles;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AliasTest {
    private static TestPortico p;

    @BeforeAll
    static void start() throws Exception {
        p = TestPortico.builder().conf("""
                events {}
                http {
                    types { image/png png; }
                    server {
                        listen 127.0.0.1:8080;
                        location /i/ { alias html/images/; }
                        location /j { alias html/images; }
                        location = /logo { alias html/images/logo.png; }
                        location ~ ^/pics/(.+\\.png)$ { alias html/images/$1; }
                        location /docs/ { alias html/manual/; location /docs/deep/ { } }
                        location /vars/ { alias html/images/; return 200 "$document_root|$request_filename"; }
                        location /rootvars/ { return 200 "$document_root|$request_filename"; }
                        location /real/ { root html/linked; return 200 "$realpath_root"; }
                        location /rooted/ { root /nonexistent-root/; return 200 "$document_root$uri"; }
                    }
                }
                """)
            .file("html/images/logo.png", "LOGO")
            .file("html/manual/index.html", "manual index")
            .file("html/manual/deep/page.txt", "deep page")
            .file("html/target/keep", "")
            .start();
        Files.createSymbolicLink(p.prefix().resolve("html/linked"), p.prefix().resolve("html/target"));
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
        "/i/logo.png | 200 | LOGO",
        "/j/logo.png | 200 | LOGO",
        "/logo | 200 | LOGO",
        "/pics/logo.png | 200 | LOGO",
        "/docs/ | 200 | manual index",
        "/docs/deep/page.txt | 200 | deep page",
        "/i/none.png | 404 | ",
        "/pics/none.png | 404 | ",
    })
    void aliasReplacesTheLocationPart(String target, int status, String body) {
        RawHttp.Response r = get(target);
        assertThat(r.status()).isEqualTo(status);
        if (body != null) {
            assertThat(r.bodyText()).isEqualTo(body);
        }
    }

    @Test
    void typeComesFromTheUriNotTheFile() {
        assertThat(get("/logo").header("Content-Type")).isEqualTo("text/plain");
        assertThat(get("/pics/logo.png").header("Content-Type")).isEqualTo("image/png");
    }

    @Test
    void pathVariablesShowTheMapping() throws Exception {
        Path html = p.prefix().resolve("html");
        assertThat(get("/vars/a/b.txt").bodyText()).isEqualTo(html.resolve("images") + "/|" + html.resolve("images") + "/a/b.txt");
        assertThat(get("/rootvars/x").bodyText()).isEqualTo(html + "|" + html + "/rootvars/x");
        assertThat(get("/real/").bodyText()).isEqualTo(html.resolve("target").toRealPath().toString());
        assertThat(get("/rooted/x").bodyText()).isEqualTo("/nonexistent-root/rooted/x");
    }
}
