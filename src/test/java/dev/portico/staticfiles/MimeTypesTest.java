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

class MimeTypesTest {
    private static final String[] EXTENSIONS = {"html", "htm", "css", "js", "mjs", "json", "xml", "txt", "png", "jpg", "jpeg",
        "gif", "svg", "webp", "avif", "ico", "woff", "woff2", "ttf", "otf", "wasm", "pdf", "zip", "gz", "mp4", "webm", "mp3",
        "unknownext", "PNG"};
    private static TestPortico p;

    @BeforeAll
    static void start() throws Exception {
        TestPortico.Builder b = TestPortico.builder().conf("""
                events {}
                http {
                    include mime.types;
                    default_type application/octet-stream;
                    server {
                        listen 127.0.0.1:8080;
                        location / { }
                        location /own/ { types { text/x-own own; } }
                        location /builtin/ { types { } }
                    }
                }
                """)
            .file("conf/mime.types", Files.readString(Path.of("conf/mime.types")));
        for (String ext : EXTENSIONS) {
            b.file("html/f." + ext, "x");
        }
        b.file("html/own/a.own", "o").file("html/own/a.html", "h").file("html/builtin/a.html", "h");
        p = b.start();
    }

    @AfterAll
    static void stop() {
        p.close();
    }

    private static String type(String target) {
        try (RawHttp c = new RawHttp(p.port(8080))) {
            return c.send("GET " + target + " HTTP/1.1\r\nHost: localhost\r\n\r\n").readResponse(false).header("Content-Type");
        }
    }

    @ParameterizedTest(name = ".{0} -> {1}")
    @CsvSource({
        "html, text/html", "htm, text/html", "css, text/css", "js, application/javascript", "mjs, application/javascript",
        "json, application/json", "xml, text/xml", "txt, text/plain", "png, image/png", "jpg, image/jpeg",
        "jpeg, image/jpeg", "gif, image/gif", "svg, image/svg+xml", "webp, image/webp", "avif, image/avif",
        "ico, image/x-icon", "woff, font/woff", "woff2, font/woff2", "ttf, font/ttf", "otf, font/otf",
        "wasm, application/wasm", "pdf, application/pdf", "zip, application/zip", "gz, application/gzip",
        "mp4, video/mp4", "webm, video/webm", "mp3, audio/mpeg", "unknownext, application/octet-stream", "PNG, image/png",
    })
    void shippedMimeTypesMapTheCommonExtensions(String ext, String type) {
        assertThat(type("/f." + ext)).isEqualTo(type);
    }

    @Test
    void aTypesBlockReplacesTheInheritedTable() {
        assertThat(type("/own/a.own")).isEqualTo("text/x-own");
        assertThat(type("/own/a.html")).isEqualTo("application/octet-stream");
        assertThat(type("/builtin/a.html")).isEqualTo("application/octet-stream");
    }

    @Test
    void shippedFileHasNoDuplicateExtension() throws Exception {
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (String line : Files.readAllLines(Path.of("conf/mime.types"))) {
            String t = line.trim();
            if (t.isEmpty() || t.startsWith("#") || t.startsWith("types") || t.equals("}")) {
                continue;
            }
            String[] words = t.replace(";", "").split("\\s+");
            for (int i = 1; i < words.length; i++) {
                assertThat(seen.add(words[i])).as("extension %s", words[i]).isTrue();
            }
        }
        assertThat(seen).hasSizeGreaterThan(100);
    }
}
