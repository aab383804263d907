package dev.portico.observability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.http.Phase;
import dev.portico.http.PhaseHandler;
import dev.portico.testing.ProbeModule;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AccessLogTest {
    private static final String TIME = "\\d{2}/(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)/\\d{4}:\\d{2}:\\d{2}:\\d{2} [+-]\\d{4}";

    /** Requests carrying this header are held without an answer, to see what a client disconnect logs. */
    private static final String HOLD = "X-Access-Log-Test-Hold";

    private static final ProbeModule HOLDING = ProbeModule.handler(Phase.ACCESS,
        ex -> ex.requestHeaders().contains(HOLD) ? PhaseHandler.AGAIN : PhaseHandler.DECLINED);

    private static String conf(String http) {
        return "events {}\nhttp {\n" + http + "\n}\n";
    }

    private static RawHttp.Response get(TestPortico p, String request) {
        try (RawHttp c = new RawHttp(p.port(8080))) {
            return c.send(request).readResponse(request.startsWith("HEAD"));
        }
    }

    private static Path log(TestPortico p, String name) {
        return p.prefix().resolve("logs").resolve(name);
    }

    private static Pattern combined(String restBeforeTime, String restAfterTime) {
        return Pattern.compile(Pattern.quote(restBeforeTime) + TIME + Pattern.quote(restAfterTime));
    }

    @Test
    void combinedLineMatchesNginxByteForByte() {
        try (TestPortico p = TestPortico.start(conf("server { listen 127.0.0.1:8080; location / { } }"))) {
            String auth = Base64.getEncoder().encodeToString("alice:secret".getBytes(StandardCharsets.UTF_8));
            RawHttp.Response r = get(p, "GET /nothing?x=1&y=%22 HTTP/1.1\r\nHost: a.test\r\nReferer: http://ref.example/page\r\n"
                + "User-Agent: agent/1.0 (test)\r\nAuthorization: Basic " + auth + "\r\n\r\n");
            assertThat(r.status()).isEqualTo(404);
            get(p, "HEAD /nothing HTTP/1.1\r\nHost: a.test\r\n\r\n");
            get(p, "GET /nothing HTTP/1.0\r\n\r\n");

            List<String> lines = LogAwait.lines(log(p, "access.log"), 3);
            assertThat(lines.get(0)).matches(combined("127.0.0.1 - alice [",
                "] \"GET /nothing?x=1&y=%22 HTTP/1.1\" 404 " + r.body().length
                    + " \"http://ref.example/page\" \"agent/1.0 (test)\""));
            assertThat(lines.get(1)).matches(combined("127.0.0.1 - - [", "] \"HEAD /nothing HTTP/1.1\" 404 0 \"-\" \"-\""));
            assertThat(lines.get(2)).matches(combined("127.0.0.1 - - [", "] \"GET /nothing HTTP/1.0\" 404 " + r.body().length
                + " \"-\" \"-\""));
        }
    }

    @Test
    void customFormatConcatenatesItsStringsAndCountsBytesExactly() {
        String http = """
            log_format sizes '$status $bytes_sent $body_bytes_sent $request_length '
                             '${request_method}:$uri:$args:$is_args:$remote_user:$http_x_missing|';
            server { listen 127.0.0.1:8080; access_log logs/sizes.log sizes; return 200 "hello\\n"; }
            """;
        try (TestPortico p = TestPortico.start(conf(http)); RawHttp c = new RawHttp(p.port(8080))) {
            String request = "GET /a/b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
            String raw = c.send(request).readUntilClose(5000);
            int head = raw.indexOf("\r\n\r\n") + 4;
            String line = LogAwait.lines(log(p, "sizes.log"), 1).get(0);
            assertThat(line).isEqualTo("200 " + raw.length() + " " + (raw.length() - head) + " " + request.length()
                + " GET:/a/b:-::-:-|");
        }
    }

    @Test
    void chunkFramingCountsAsBodyAsInNginx() {
        String http = """
            log_format sizes '$bytes_sent $body_bytes_sent';
            server { listen 127.0.0.1:8080; access_log logs/sizes.log sizes; location / { } }
            """;
        // HTTP/1.0 error page: Content-Length framing; bytes_sent is the whole answer either way
        try (TestPortico p = TestPortico.start(conf(http)); RawHttp c = new RawHttp(p.port(8080))) {
            String raw = c.send("GET /x HTTP/1.0\r\n\r\n").readUntilClose(5000);
            int head = raw.indexOf("\r\n\r\n") + 4;
            assertThat(LogAwait.lines(log(p, "sizes.log"), 1).get(0)).isEqualTo(raw.length() + " " + (raw.length() - head));
        }
    }

    static Stream<Arguments> escaping() {
        // User-Agent bytes: quote, backslash, tab, UTF-8 "é" (C3 A9), DEL-free obs-text
        String ua = "a\"b\\c\td\u00c3\u00a9e";
        return Stream.of(
            Arguments.of("default", ua, "a\\x22b\\x5Cc\\x09d\\xC3\\xA9e", "-"),
            Arguments.of("json", ua, "a\\\"b\\\\c\\td\u00c3\u00a9e", ""),
            Arguments.of("none", ua, "a\"b\\c\td\u00c3\u00a9e", ""));
    }

    @ParameterizedTest(name = "escape={0}")
    @MethodSource("escaping")
    void escapingOfHostileHeaderValues(String escape, String userAgent, String logged, String notFound) {
        String http = "log_format f escape=" + escape + " '[$http_user_agent][$http_x_none]';\n"
            + "server { listen 127.0.0.1:8080; access_log logs/e.log f; return 204; }";
        try (TestPortico p = TestPortico.start(conf(http))) {
            assertThat(get(p, "GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: " + userAgent + "\r\n\r\n").status()).isEqualTo(204);
            assertThat(LogAwait.lines(log(p, "e.log"), 1).get(0)).isEqualTo("[" + logged + "][" + notFound + "]");
        }
    }

    static Stream<Arguments> controlBytes() {
        // $uri is percent-decoded: control bytes and quotes reach the log through it
        return Stream.of(
            Arguments.of("default", "/a\\x01\\x22\\x0A\\x7F\\xC3\\xA9"),
            Arguments.of("json", "/a\\u0001\\\"\\n\u007f\u00c3\u00a9"),
            Arguments.of("none", "/a\u0001\"\n\u007f\u00c3\u00a9"));
    }

    @ParameterizedTest(name = "escape={0}")
    @MethodSource("controlBytes")
    void controlBytesInDecodedUriAreEscaped(String escape, String logged) {
        String http = "log_format f escape=" + escape + " '<$uri>';\n"
            + "server { listen 127.0.0.1:8080; access_log logs/e.log f; return 204; }";
        try (TestPortico p = TestPortico.start(conf(http))) {
            get(p, "GET /a%01%22%0A%7F%C3%A9 HTTP/1.1\r\nHost: x\r\n\r\n");
            Path file = log(p, "e.log");
            String text = LogAwait.until(file, l -> !l.isEmpty() && String.join("\n", l).endsWith(">")).stream()
                .reduce((a, b) -> a + "\n" + b).orElseThrow();
            assertThat(text).isEqualTo("<" + logged + ">");
        }
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    static Stream<Arguments> remoteUsers() {
        return Stream.of(
            Arguments.of("Basic " + b64("bob:pw"), "bob"),
            Arguments.of("basic    " + b64("bob:pw:with:colons"), "bob"),
            Arguments.of("Basic " + b64(":pw"), "-"),
            Arguments.of("Basic " + b64("nocolon"), "-"),
            Arguments.of("Basic !!notbase64", "-"),
            Arguments.of("Bearer " + b64("bob:pw"), "-"),
            Arguments.of("Basic " + b64("jos\u00e9:pw"), "jos\\xC3\\xA9"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("remoteUsers")
    void remoteUserIsTheBasicCredentialsName(String authorization, String logged) {
        String http = "log_format u '$remote_user';\n"
            + "server { listen 127.0.0.1:8080; access_log logs/u.log u; return 204; }";
        try (TestPortico p = TestPortico.start(conf(http))) {
            get(p, "GET / HTTP/1.1\r\nHost: x\r\nAuthorization: " + authorization + "\r\n\r\n");
            assertThat(LogAwait.lines(log(p, "u.log"), 1).get(0)).isEqualTo(logged);
        }
    }

    @Test
    void ifConditionSkipsEmptyAndZero() {
        String http = """
            server {
                listen 127.0.0.1:8080;
                access_log logs/cond.log combined if=$arg_log;
                access_log logs/all.log combined;
                return 204;
            }
            """;
        try (TestPortico p = TestPortico.start(conf(http))) {
            for (String q : List.of("/1?log=1", "/2?log=0", "/3", "/4?log=", "/5?log=yes")) {
                get(p, "GET " + q + " HTTP/1.1\r\nHost: x\r\n\r\n");
            }
            LogAwait.lines(log(p, "all.log"), 5);
            List<String> cond = LogAwait.lines(log(p, "cond.log"));
            assertThat(cond).hasSize(2);
            assertThat(cond.get(0)).contains("\"GET /1?log=1 HTTP/1.1\"");
            assertThat(cond.get(1)).contains("\"GET /5?log=yes HTTP/1.1\"");
        }
    }

    @Test
    void locationLogsReplaceInheritedOnesAndOffSilencesALevel() {
        String http = """
            access_log logs/http.log combined;
            server {
                listen 127.0.0.1:8080;
                server_name one;
                access_log logs/server.log combined;
                access_log logs/server2.log combined;
                location /loc { access_log logs/loc.log combined; return 204; }
                location /quiet { access_log off; return 204; }
                location /both { access_log logs/loc.log combined; access_log off; return 204; }
                location / { return 204; }
            }
            server { listen 127.0.0.1:8080; server_name two; return 204; }
            """;
        try (TestPortico p = TestPortico.start(conf(http))) {
            get(p, "GET /loc HTTP/1.1\r\nHost: one\r\n\r\n");
            get(p, "GET /quiet HTTP/1.1\r\nHost: one\r\n\r\n");
            get(p, "GET /both HTTP/1.1\r\nHost: one\r\n\r\n");
            get(p, "GET /other HTTP/1.1\r\nHost: one\r\n\r\n");
            get(p, "GET /two HTTP/1.1\r\nHost: two\r\n\r\n");

            List<String> httpLines = LogAwait.lines(log(p, "http.log"), 1);
            assertThat(httpLines).hasSize(1);
            assertThat(httpLines.get(0)).contains("GET /two ");
            assertThat(LogAwait.lines(log(p, "loc.log"))).singleElement().asString().contains("GET /loc ");
            assertThat(LogAwait.lines(log(p, "server.log"))).singleElement().asString().contains("GET /other ");
            assertThat(LogAwait.lines(log(p, "server2.log"))).singleElement().asString().contains("GET /other ");
            assertThat(Files.exists(log(p, "access.log"))).as("the default log is replaced at http level").isFalse();
        }
    }

    @Test
    void withoutAccessLogEveryRequestGoesToTheDefaultFile() {
        try (TestPortico p = TestPortico.start(conf("server { listen 127.0.0.1:8080; location /a { return 204; } }"))) {
            get(p, "GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(LogAwait.lines(log(p, "access.log"), 1).get(0)).contains("\"GET /a HTTP/1.1\" 204 0 ");
        }
    }

    @Test
    void bufferedLinesAppearAfterTheFlushTime() throws IOException {
        String http = """
            server {
                listen 127.0.0.1:8080;
                access_log logs/flushed.log combined buffer=64k flush=2s;
                access_log logs/held.log combined buffer=64k;
                return 204;
            }
            """;
        Path held;
        try (TestPortico p = TestPortico.start(conf(http))) {
            long sent = System.nanoTime();
            get(p, "GET /buffered HTTP/1.1\r\nHost: x\r\n\r\n");
            List<String> early = LogAwait.lines(log(p, "flushed.log"));
            if (System.nanoTime() - sent < 1_500_000_000L) {
                assertThat(early).as("still in the buffer").isEmpty();
            }
            assertThat(LogAwait.lines(log(p, "flushed.log"), 1).get(0)).contains("GET /buffered ");
            held = log(p, "held.log");
            assertThat(Files.size(held)).as("no flush time: kept until the buffer fills or the server stops").isZero();
        }
        assertThat(LogAwait.lines(held)).singleElement().asString().contains("GET /buffered ");
    }

    @Test
    void gzipWritesGzipMembers() throws IOException {
        String http = "server { listen 127.0.0.1:8080; access_log logs/z.log.gz combined gzip=9 flush=100ms; return 204; }";
        try (TestPortico p = TestPortico.start(conf(http))) {
            get(p, "GET /zipped HTTP/1.1\r\nHost: x\r\n\r\n");
            Path z = log(p, "z.log.gz");
            LogAwait.until(z, l -> !l.isEmpty() || sizeOf(z) > 0);
            byte[] plain;
            try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(Files.readAllBytes(z)))) {
                plain = in.readAllBytes();
            }
            assertThat(new String(plain, StandardCharsets.ISO_8859_1)).contains("\"GET /zipped HTTP/1.1\" 204").endsWith("\n");
        }
    }

    private static long sizeOf(Path p) {
        try {
            return Files.exists(p) ? Files.size(p) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    @Test
    void pathWithVariablesPicksTheFilePerRequest() {
        String http = "server { listen 127.0.0.1:8080; server_name *.test; access_log logs/host-$host.log combined; return 204; }";
        try (TestPortico p = TestPortico.start(conf(http))) {
            get(p, "GET /a HTTP/1.1\r\nHost: a.test\r\n\r\n");
            get(p, "GET /b HTTP/1.1\r\nHost: b.test\r\n\r\n");
            assertThat(LogAwait.lines(log(p, "host-a.test.log"), 1).get(0)).contains("GET /a ");
            assertThat(LogAwait.lines(log(p, "host-b.test.log"), 1).get(0)).contains("GET /b ");
        }
    }

    @Test
    void reopenAfterRenameStartsANewFile() throws IOException {
        try (TestPortico p = TestPortico.start(conf("server { listen 127.0.0.1:8080; return 204; }"))) {
            get(p, "GET /before HTTP/1.1\r\nHost: x\r\n\r\n");
            Path file = log(p, "access.log");
            LogAwait.lines(file, 1);
            Path rotated = log(p, "access.log.1");
            Files.move(file, rotated);
            p.server().reopenLogs();
            get(p, "GET /after HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(LogAwait.lines(file, 1)).singleElement().asString().contains("GET /after ");
            assertThat(LogAwait.lines(rotated)).singleElement().asString().contains("GET /before ");
        }
    }

    @Test
    void reloadKeepsUnchangedFilesOpen() throws IOException {
        String c = conf("server { listen 127.0.0.1:8080; return 204; }");
        try (TestPortico p = TestPortico.start(c)) {
            get(p, "GET /first HTTP/1.1\r\nHost: x\r\n\r\n");
            Path file = log(p, "access.log");
            LogAwait.lines(file, 1);
            Path moved = log(p, "moved.log");
            Files.move(file, moved);
            assertThat(p.reload(c)).isNull();
            get(p, "GET /second HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(LogAwait.lines(moved, 2).get(1)).contains("GET /second ");
        }
    }

    @Test
    void clientThatLeavesBeforeTheResponseIsLoggedWith499() throws IOException {
        try (TestPortico p = TestPortico.builder().conf(conf("server { listen 127.0.0.1:8080; location / { } }"))
                 .modules(HOLDING).start()) {
            try (RawHttp c = new RawHttp(p.port(8080))) {
                c.send("GET /held HTTP/1.1\r\nHost: x\r\n" + HOLD + ": 1\r\n\r\n");
                // the request is held: nothing comes back
                assertThat(c.closedByServer(200)).isFalse();
            }
            assertThat(LogAwait.lines(log(p, "access.log"), 1).get(0)).matches(
                combined("127.0.0.1 - - [", "] \"GET /held HTTP/1.1\" 499 0 \"-\" \"-\""));
        }
    }
}
