package dev.portico.staticfiles;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IndexTest {
    private static TestPortico p;

    @BeforeAll
    static void start() {
        p = TestPortico.builder().conf("""
                events {}
                http {
                    index index.html;
                    server {
                        listen 127.0.0.1:8080;
                        location / { }
                        location /multi/ { index missing.html second.html; }
                        location /var/ { index $arg_i.html index.html; }
                        location /abs/ { index nothere.html /fallback/target; }
                        location /fallback/ { return 200 "fallback $uri $args"; }
                        location /redir/ { }
                        location = /redir/index.html { return 200 "exact $uri $args"; }
                        location /dirindex/ { index sub; }
                        location /many/ { index a.html; index b.html; }
                        location /listed/ { index missing.html; autoindex on; }
                        location /loop/ { index $arg_i missing.html; }
                    }
                }
                """)
            .file("html/index.html", "root index")
            .file("html/multi/second.html", "second")
            .file("html/var/alt.html", "alt")
            .file("html/var/index.html", "var index")
            .file("html/redir/index.html", "not this")
            .file("html/dirindex/sub/keep", "")
            .file("html/many/b.html", "b")
            .file("html/empty/keep", "")
            .file("html/listed/keep", "")
            .file("html/loop/keep", "")
            .file("html/afile", "a file")
            .file("html/abs/keep", "")
            .start();
    }

    @AfterAll
    static void stop() {
        p.close();
    }

    private static RawHttp.Response request(String method, String target) {
        try (RawHttp c = new RawHttp(p.port(8080))) {
            return c.send(method + " " + target + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n").readResponse(method.equals("HEAD"));
        }
    }

    @ParameterizedTest(name = "{0} -> {1} {2}")
    @CsvSource(delimiter = '|', value = {
        "/ | 200 | root index",
        "/multi/ | 200 | second",
        "/var/ | 200 | var index",
        "/var/?i=alt | 200 | alt",
        "/abs/?q=1 | 200 | fallback /fallback/target q=1",
        "/redir/?a=b | 200 | exact /redir/index.html a=b",
        "/many/ | 200 | b",
    })
    void firstExistingIndexIsServedThroughAnInternalRedirect(String target, int status, String body) {
        RawHttp.Response r = request("GET", target);
        assertThat(r.status()).isEqualTo(status);
        assertThat(r.bodyText()).isEqualTo(body);
    }

    @Test
    void indexFileGetsItsOwnContentType() {
        assertThat(request("GET", "/").header("Content-Type")).isEqualTo("text/html");
    }

    @Test
    void indexThatIsADirectoryEndsInItsSlashRedirect() {
        RawHttp.Response r = request("GET", "/dirindex/");
        assertThat(r.status()).isEqualTo(301);
        assertThat(r.header("Location")).endsWith("/dirindex/sub/");
    }

    @Test
    void missingDirectoryIs404AndLogged() throws Exception {
        assertThat(request("GET", "/nosuchdir/").status()).isEqualTo(404);
        assertThat(StaticFilesTest.awaitLog(p, "is not found")).contains("\"" + p.prefix().resolve("html/nosuchdir/index.html")
            + "\" is not found (2: No such file or directory)");
    }

    @Test
    void directoryWithoutIndexIsForbidden() {
        assertThat(request("GET", "/empty/").status()).isEqualTo(403);
    }

    @Test
    void postReachesTheIndexFileAndIsRefusedThere() {
        assertThat(request("POST", "/").status()).isEqualTo(405);
        assertThat(request("HEAD", "/").status()).isEqualTo(200);
    }

    @Test
    void aMissingIndexFallsThroughToTheNextContentHandler() {
        RawHttp.Response forbidden = request("GET", "/empty/");
        assertThat(p.errorLog()).contains("directory index of \"" + p.prefix().resolve("html/empty") + "/\" is forbidden");
        assertThat(forbidden.status()).isEqualTo(403);
        RawHttp.Response listed = request("GET", "/listed/");
        assertThat(listed.status()).isEqualTo(200);
        assertThat(listed.bodyText()).contains("<a href=\"keep\">keep</a>");
    }

    @Test
    void aFileWithASlashIs404NotADirectory() {
        assertThat(request("GET", "/afile/").status()).isEqualTo(404);
        assertThat(p.errorLog()).contains("\"" + p.prefix().resolve("html/afile/index.html") + "\" is not found (20: Not a directory)");
    }

    @Test
    void anIndexThatNamesTheDirectoryItselfIsARedirectionCycle() {
        // "$arg_i" empty: the index is the directory's own URI, redirected to until nginx's limit
        assertThat(request("GET", "/loop/?i=").status()).isEqualTo(500);
        assertThat(p.errorLog()).contains("rewrite or internal redirection cycle while internally redirecting to \"/loop/\", client: ");
    }
}
