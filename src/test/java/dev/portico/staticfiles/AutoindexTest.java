package dev.portico.staticfiles;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AutoindexTest {
    /** 2024-01-02 03:04:05 UTC */
    private static final long MTIME = 1704164645L;
    private static final String LONG = "L".repeat(60) + ".txt";
    private static TestPortico p;

    @BeforeAll
    static void start() throws Exception {
        TestPortico.Builder b = TestPortico.builder().conf("""
                events {}
                http {
                    server {
                        listen 127.0.0.1:8080;
                        location /list/ { autoindex on; }
                        location /approx/ { autoindex on; autoindex_exact_size off; }
                        location /json/ { autoindex on; autoindex_format json; }
                        location /jsonp/ { autoindex on; autoindex_format jsonp; }
                        location /xml/ { autoindex on; autoindex_format xml; }
                        location /withindex/ { autoindex on; }
                        location /off/ { }
                    }
                }
                """);
        for (String dir : new String[] {"list", "json", "jsonp", "xml"}) {
            b.file("html/" + dir + "/a.txt", "hello").file("html/" + dir + "/sub/keep", "");
        }
        b.file("html/list/x&y <z>.txt", "12345678").file("html/list/.hidden", "h").file("html/list/" + LONG, "l")
            .file("html/list/B.txt", "b")
            .file("html/approx/big.bin", new byte[20000]).file("html/approx/small.txt", "12345")
            .file("html/withindex/index.html", "the index").file("html/off/a.txt", "a");
        p = b.start();
        try (Stream<Path> all = Files.walk(p.prefix().resolve("html"))) {
            for (Path f : (Iterable<Path>) all::iterator) {
                Files.setLastModifiedTime(f, FileTime.fromMillis(MTIME * 1000));
            }
        }
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

    /** One listing line as nginx lays it out: link, name padded to 50 columns, date, size. */
    private static String line(String href, String text, int width, String size) {
        return "<a href=\"" + href + "\">" + text + "</a>" + " ".repeat(Math.max(0, 50 - width)) + " 02-Jan-2024 03:04 " + size + "\r\n";
    }

    @Test
    void htmlListingHasNginxLayoutOrderAndEscaping() {
        RawHttp.Response r = get("/list/");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Type")).isEqualTo("text/html");
        String expected = "<html>\r\n<head><title>Index of /list/</title></head>\r\n<body>\r\n<h1>Index of /list/</h1>"
            + "<hr><pre><a href=\"../\">../</a>\r\n"
            + line("sub/", "sub/", 4, "                  -")
            + line("B.txt", "B.txt", 5, " ".repeat(18) + "1")
            + "<a href=\"" + LONG + "\">" + "L".repeat(47) + "..&gt;</a> 02-Jan-2024 03:04 " + " ".repeat(18) + "1\r\n"
            + line("a.txt", "a.txt", 5, " ".repeat(18) + "5")
            + line("x%26y%20%3Cz%3E.txt", "x&amp;y &lt;z&gt;.txt", 11, " ".repeat(18) + "8")
            + "</pre><hr></body>\r\n</html>\r\n";
        assertThat(r.bodyText()).isEqualTo(expected);
    }

    @Test
    void approximateSizesAreRounded() {
        String body = get("/approx/").bodyText();
        assertThat(body).contains(line("big.bin", "big.bin", 7, "    20K"));
        assertThat(body).contains(line("small.txt", "small.txt", 9, "      5"));
    }

    @Test
    void jsonListing() {
        RawHttp.Response r = get("/json/");
        assertThat(r.header("Content-Type")).isEqualTo("application/json");
        assertThat(r.bodyText()).isEqualTo("[\r\n"
            + "{ \"name\":\"sub\", \"type\":\"directory\", \"mtime\":\"Tue, 02 Jan 2024 03:04:05 GMT\" },\r\n"
            + "{ \"name\":\"a.txt\", \"type\":\"file\", \"mtime\":\"Tue, 02 Jan 2024 03:04:05 GMT\", \"size\":5 }\r\n]");
    }

    @Test
    void jsonpWrapsInTheCallbackAndChecksIt() {
        RawHttp.Response r = get("/jsonp/?callback=cb.fn_1");
        assertThat(r.header("Content-Type")).isEqualTo("application/javascript");
        assertThat(r.bodyText()).startsWith("/* callback */\r\ncb.fn_1([\r\n{ \"name\":\"sub\"").endsWith("]);");
        assertThat(get("/jsonp/").header("Content-Type")).isEqualTo("application/json");
        assertThat(get("/jsonp/?callback=alert(1)").status()).isEqualTo(400);
    }

    @Test
    void xmlListing() {
        RawHttp.Response r = get("/xml/");
        assertThat(r.header("Content-Type")).isEqualTo("text/xml; charset=utf-8");
        assertThat(r.bodyText()).isEqualTo("<?xml version=\"1.0\"?>\r\n<list>\r\n"
            + "<directory mtime=\"2024-01-02T03:04:05Z\">sub</directory>\r\n"
            + "<file mtime=\"2024-01-02T03:04:05Z\" size=\"5\">a.txt</file>\r\n</list>\r\n");
    }

    @Test
    void indexFileWinsOverTheListing() {
        assertThat(get("/withindex/").bodyText()).isEqualTo("the index");
    }

    @Test
    void autoindexOffForbidsAndMissingDirectoryIsNotFound() {
        assertThat(get("/off/").status()).isEqualTo(403);
        assertThat(get("/list/nosuch/").status()).isEqualTo(404);
    }

    @Test
    void headGetsTheListingHeadersOnly() {
        try (RawHttp c = new RawHttp(p.port(8080))) {
            RawHttp.Response r = c.send("HEAD /list/ HTTP/1.1\r\nHost: localhost\r\n\r\n").readResponse(true);
            assertThat(r.status()).isEqualTo(200);
            RawHttp.Response next = c.send("GET /off/a.txt HTTP/1.1\r\nHost: localhost\r\n\r\n").readResponse(false);
            assertThat(next.bodyText()).isEqualTo("a");
        }
    }
}
