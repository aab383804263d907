package dev.portico.observability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.Await;
import dev.portico.testing.PortMap;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Values from a client that the error log quotes (request line, decoded URI in a file path,
 * Host, Referer, rewritten URI) cannot start a line of their own: CR, LF and other control
 * bytes, quotes, backslashes and bytes from 0x7F are written as {@code \xHH}. nginx writes them
 * raw; this goes beyond it. Strings are ISO-8859-1: "\u00ff" is the byte 0xFF.
 */
class ErrorLogInjectionTest {
    private static final String FORGED = "2026/01/01 00:00:00 [emerg] 1: forged";

    private static List<String> errorLines(TestPortico p, String containing) {
        Path f = p.prefix().resolve("logs/error.log");
        Await.until(Duration.ofSeconds(10), "an error log line with " + containing, () -> read(f).contains(containing));
        return List.of(read(f).split("\n"));
    }

    private static String read(Path f) {
        try {
            return Files.exists(f) ? new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every line is one message: it starts with a timestamp and none starts with the forged text. */
    private static void assertNoForgedLine(List<String> lines) {
        for (String l : lines) {
            assertThat(l).matches("\\d{4}/\\d{2}/\\d{2} \\d{2}:\\d{2}:\\d{2} \\[\\w+\\] .*");
            assertThat(l).doesNotStartWith(FORGED);
            assertThat(l.chars().noneMatch(c -> c < 0x20 || c >= 0x7f)).as(l).isTrue();
        }
    }

    @Test
    void anEncodedNewlineInAPathDoesNotForgeALine() {
        String conf = "error_log logs/error.log info;\nevents {}\nhttp {\n"
            + " server { listen 127.0.0.1:8080; root html; location / { } }\n}\n";
        try (TestPortico p = TestPortico.start(conf); RawHttp c = new RawHttp(p.port(8080))) {
            String uri = "/a%0d%0a" + FORGED.replace(" ", "%20") + "%ff";
            assertThat(c.send("GET " + uri + " HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false).status()).isEqualTo(404);
            List<String> lines = errorLines(p, "No such file or directory");
            assertNoForgedLine(lines);
            String open = lines.stream().filter(l -> l.contains("open() ")).findFirst().orElseThrow();
            // the decoded URI in the path is escaped; the request line quotes the target as sent
            assertThat(open).contains("/html/a\\x0D\\x0A" + FORGED + "\\xFF\" failed (2: No such file or directory)")
                .contains(", request: \"GET " + uri + " HTTP/1.1\", host: \"a\"");
        }
    }

    @Test
    void hostileRefererAndRawBytesInTheTargetAreEscapedInProxyErrors() throws IOException {
        PortMap ports = new PortMap();
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        String conf = "events {}\nhttp {\n server { listen 127.0.0.1:8080;\n"
            + "  location / { proxy_pass http://127.0.0.1:" + closed + "; } }\n}\n";
        try (TestPortico p = TestPortico.builder().ports(ports).conf(conf).start(); RawHttp c = new RawHttp(p.port(8080))) {
            c.send("GET /\u00ff\"x HTTP/1.1\r\nHost: a\r\nReferer: x\", host: \"evil\\\u00e9\r\n\r\n");
            assertThat(c.readResponse(false).status()).isEqualTo(502);
            List<String> lines = errorLines(p, "Connection refused");
            assertNoForgedLine(lines);
            String refused = lines.stream().filter(l -> l.contains("Connection refused")).findFirst().orElseThrow();
            assertThat(refused).contains("request: \"GET /\\xFF\\x22x HTTP/1.1\"")
                .containsPattern("upstream: \"http://127\\.0\\.0\\.1:\\d+/\\\\xFF\\\\x22x\"")
                .contains("host: \"a\"")
                .endsWith("referrer: \"x\\x22, host: \\x22evil\\x5C\\xE9\"");
        }
    }

    @Test
    void aRefusedRequestLineIsQuotedEscaped() {
        String conf = "error_log logs/error.log info;\nevents {}\nhttp {\n server { listen 127.0.0.1:8080; return 204; }\n}\n";
        try (TestPortico p = TestPortico.start(conf); RawHttp c = new RawHttp(p.port(8080))) {
            // nginx quotes this line raw (its 0x01 and 0xFF included)
            assertThat(c.send("GET /a\u0001\u00ff\" HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false).status()).isEqualTo(400);
            List<String> lines = errorLines(p, "client sent invalid request");
            assertNoForgedLine(lines);
            assertThat(lines).anyMatch(l -> l.endsWith("client sent invalid request, client: 127.0.0.1, server: , "
                + "request: \"GET /a\\x01\\xFF\\x22 HTTP/1.1\""));
        }
    }

    @Test
    void theRewriteLogEscapesTheUriItQuotes() {
        String conf = "error_log logs/error.log notice;\nevents {}\nhttp {\n"
            + " server { listen 127.0.0.1:8080; rewrite_log on; rewrite ^ /s$uri; return 204; }\n}\n";
        try (TestPortico p = TestPortico.start(conf); RawHttp c = new RawHttp(p.port(8080))) {
            assertThat(c.send("GET /r/%0a" + FORGED.replace(" ", "%20") + " HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false).status())
                .isEqualTo(204);
            List<String> lines = errorLines(p, "rewritten data");
            assertNoForgedLine(lines);
            assertThat(lines).anyMatch(l -> l.contains("rewritten data: \"/s/r/\\x0A" + FORGED + "\""));
        }
    }
}
