package dev.portico.staticfiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StaticFilesTest {
    private static final byte[] MIB = new byte[1024 * 1024];
    private static TestPortico p;

    @BeforeAll
    static void start() {
        new Random(42).nextBytes(MIB);
        p = TestPortico.builder().conf("""
                events {}
                http {
                    include mime.types;
                    server {
                        listen 127.0.0.1:8080;
                        location / { }
                        location /plain/ { default_type application/octet-stream; }
                        location /quiet/ { log_not_found off; }
                        location /img { alias html/images/; }
                        location /nolinks/ { disable_symlinks on; }
                        location /owner/ { disable_symlinks if_not_owner; }
                        location /trusted/ { root html/linkedroot; disable_symlinks on from=$document_root; }
                        location /untrusted/ { root html/linkedroot; disable_symlinks on; }
                    }
                }
                """)
            .file("conf/mime.types", "types { text/html html; text/css css; image/png png; }")
            .file("secret.txt", "SECRET")
            .file("html/a.html", "<p>hello</p>\n")
            .file("html/style.css", "p{}")
            .file("html/x", "inside-root")
            .file("html/noext", "data")
            .file("html/plain/file.unknownext", "u")
            .file("html/dir/sub/readme.txt", "r")
            .file("html/images/logo.png", "PNG")
            .file("html/nolinks/real.txt", "real")
            .file("html/owner/real.txt", "owned")
            .file("html/realroot/trusted/t.txt", "trusted")
            .file("html/realroot/untrusted/t.txt", "untrusted")
            .file("html/big.bin", MIB)
            .file("html/empty.txt", "")
            .start();
    }

    @AfterAll
    static void stop() {
        p.close();
    }

    private static RawHttp.Response get(String target) {
        return request("GET", target, "");
    }

    private static RawHttp.Response request(String method, String target, String extraHeaders) {
        try (RawHttp c = new RawHttp(p.port(8080))) {
            return c.send(method + " " + target + " HTTP/1.1\r\nHost: localhost\r\n" + extraHeaders + "\r\n")
                .readResponse(method.equals("HEAD"));
        }
    }

    @Test
    void fileIsServedWithTypeLengthAndValidators() throws Exception {
        RawHttp.Response r = get("/a.html");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.bodyText()).isEqualTo("<p>hello</p>\n");
        assertThat(r.header("Content-Type")).isEqualTo("text/html");
        assertThat(r.header("Content-Length")).isEqualTo("13");
        assertThat(r.header("Accept-Ranges")).isEqualTo("bytes");
        Path f = p.prefix().resolve("html/a.html");
        long mtime = Files.getLastModifiedTime(f).toMillis() / 1000;
        assertThat(r.header("ETag")).isEqualTo("\"" + Long.toHexString(mtime) + "-d\"");
        assertThat(r.header("Last-Modified")).isEqualTo(
            io.netty.handler.codec.DateFormatter.format(new java.util.Date(mtime * 1000)));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "/style.css, text/css",
        "/noext, text/plain",
        "/plain/file.unknownext, application/octet-stream",
        "/img/logo.png, image/png",
        "/A.HTML, ''",
    })
    void contentTypeComesFromTheExtensionOrDefaultType(String path, String type) {
        RawHttp.Response r = get(path);
        if (type.isEmpty()) {
            assertThat(r.status()).isEqualTo(404);
            return;
        }
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Type")).isEqualTo(type);
    }

    @Test
    void headAnswersTheHeadersWithTheFileLengthAndNoBody() {
        try (RawHttp c = new RawHttp(p.port(8080))) {
            RawHttp.Response r = c.send("HEAD /a.html HTTP/1.1\r\nHost: localhost\r\n\r\n").readResponse(true);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("Content-Length")).isEqualTo("13");
            // the connection stays usable: no stray body bytes before the next answer
            RawHttp.Response next = c.send("GET /style.css HTTP/1.1\r\nHost: localhost\r\n\r\n").readResponse(false);
            assertThat(next.bodyText()).isEqualTo("p{}");
        }
    }

    @Test
    void emptyFileIsServedWithZeroLength() {
        RawHttp.Response r = get("/empty.txt");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Length")).isEqualTo("0");
    }

    @Test
    void missingFileIs404AndLoggedUnlessLogNotFoundIsOff() throws Exception {
        assertThat(get("/nothing.html").status()).isEqualTo(404);
        assertThat(get("/quiet/nothing.html").status()).isEqualTo(404);
        String log = awaitLog("nothing.html\" failed");
        assertThat(log).contains("[error]").contains("open() \"" + p.prefix().resolve("html/nothing.html")
            + "\" failed (2: No such file or directory), client: 127.0.0.1, server: , request: \"GET /nothing.html HTTP/1.1\"");
        assertThat(log).doesNotContain("quiet/nothing.html");
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource({
        "POST, /a.html, 405",
        "PUT, /a.html, 405",
        "DELETE, /nothing, 405",
        "PUT, /dir/, 405",
        "POST, /nothing.html, 404",
        "POST, /dir/, 403",
    })
    void onlyGetAndHeadReadFiles(String method, String path, int status) {
        RawHttp.Response r = request(method, path, "Content-Length: 0\r\n");
        assertThat(r.status()).isEqualTo(status);
    }

    @Test
    void directoryWithoutSlashIsRedirectedKeepingTheQuery() {
        RawHttp.Response r = get("/dir?x=1");
        assertThat(r.status()).isEqualTo(301);
        assertThat(r.header("Location")).isEqualTo("http://localhost:" + p.port(8080) + "/dir/?x=1");
    }

    @Test
    void directoryRedirectEscapesTheUri() {
        RawHttp.Response r = get("/dir/sub%20x/..%2Fsub");
        assertThat(r.status()).isEqualTo(301);
        assertThat(r.header("Location")).endsWith("/dir/sub/");
    }

    @Test
    void directoryWithoutIndexIsForbidden() throws Exception {
        RawHttp.Response r = get("/dir/sub/");
        assertThat(r.status()).isEqualTo(403);
        assertThat(awaitLog("directory index of")).contains("directory index of \"" + p.prefix().resolve("html/dir/sub") + "/\" is forbidden");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "/../secret.txt | 400",
        "/%2e%2e/secret.txt | 400",
        "/%2E%2E%2Fsecret.txt | 400",
        "/dir/../../secret.txt | 400",
        "/dir/%2F..%2F..%2Fsecret.txt | 400",
        "/a/%2F..%2Fx | 200",
        "/..%5csecret.txt | 404",
        "/%5c..%5csecret.txt | 404",
        "/img../secret.txt | 404",
        "/img/..%2F..%2Fsecret.txt | 400",
    })
    void pathsCannotLeaveTheRoot(String target, int status) {
        RawHttp.Response r = get(target);
        assertThat(r.status()).isEqualTo(status);
        assertThat(r.bodyText()).doesNotContain("SECRET");
        if (status == 200) {
            assertThat(r.bodyText()).isEqualTo("inside-root");
        }
    }

    @Test
    void symbolicLinkIsRefusedWithDisableSymlinksOn() throws Exception {
        Path html = p.prefix().resolve("html");
        Files.createSymbolicLink(html.resolve("nolinks/link.txt"), html.resolve("nolinks/real.txt"));
        Files.createSymbolicLink(html.resolve("link.txt"), html.resolve("nolinks/real.txt"));
        assertThat(get("/nolinks/real.txt").status()).isEqualTo(200);
        assertThat(get("/nolinks/link.txt").status()).isEqualTo(403);
        RawHttp.Response followed = get("/link.txt");
        assertThat(followed.status()).isEqualTo(200);
        assertThat(followed.bodyText()).isEqualTo("real");
        assertThat(awaitLog("link.txt\" failed")).contains("(40: Too many levels of symbolic links)");
    }

    @Test
    void ifNotOwnerAllowsOnlyLinksOwnedLikeTheirTarget() throws Exception {
        Path dir = p.prefix().resolve("html/owner");
        Path link = Files.createSymbolicLink(dir.resolve("same.txt"), dir.resolve("real.txt"));
        assertThat(get("/owner/same.txt").bodyText()).isEqualTo("owned");
        assumeTrue("root".equals(System.getProperty("user.name")), "changing a link's owner needs root");
        Path other = Files.createSymbolicLink(dir.resolve("other.txt"), dir.resolve("real.txt"));
        java.nio.file.attribute.UserPrincipal nobody = link.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
        Files.getFileAttributeView(other, java.nio.file.attribute.PosixFileAttributeView.class,
            java.nio.file.LinkOption.NOFOLLOW_LINKS).setOwner(nobody);
        assertThat(get("/owner/other.txt").status()).isEqualTo(403);
    }

    @Test
    void fromPartOfTheRootIsTrusted() throws Exception {
        Path html = p.prefix().resolve("html");
        if (!Files.exists(html.resolve("linkedroot"), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            Files.createSymbolicLink(html.resolve("linkedroot"), html.resolve("realroot"));
        }
        assertThat(get("/trusted/t.txt").bodyText()).isEqualTo("trusted");
        // a linked directory on the way is ENOTDIR for nginx's openat() walk: 404
        assertThat(get("/untrusted/t.txt").status()).isEqualTo(404);
    }

    @Test
    void unreadableFileIsForbidden() throws Exception {
        assumeFalse("root".equals(System.getProperty("user.name")), "root reads every file");
        Path f = p.prefix().resolve("html/locked.txt");
        Files.writeString(f, "x");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("---------"));
        assertThat(get("/locked.txt").status()).isEqualTo(403);
    }

    @Test
    void oneMebibyteFileArrivesByteForByte() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(p.uri(8080, "/big.bin")).build(),
            HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(MIB);
    }

    @Test
    void stalledReaderOfALargeFileBlocksNobodyAndGetsEveryByteLater() throws Exception {
        assertStalledDownloadIsHarmless();
    }

    @Test
    void chunkedBodyPathUsedForTlsAlsoDeliversEveryByte() throws Exception {
        FileResponse.forceChunked = true;
        try {
            HttpClient client = HttpClient.newHttpClient();
            HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(p.uri(8080, "/big.bin")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
            assertThat(r.body()).isEqualTo(MIB);
            assertStalledDownloadIsHarmless();
        } finally {
            FileResponse.forceChunked = false;
        }
    }

    /** One client asks for 16 MiB and reads nothing; others are served meanwhile; then it reads all of it. */
    private static void assertStalledDownloadIsHarmless() throws Exception {
        byte[] large = new byte[16 * 1024 * 1024];
        new Random(7).nextBytes(large);
        Path f = p.prefix().resolve("html/large.bin");
        if (!Files.exists(f)) {
            Files.write(f, large);
        }
        try (Socket slow = new Socket()) {
            // a small window, set before connecting (shrinking it later can wedge the TCP window)
            slow.setReceiveBufferSize(16 * 1024);
            slow.connect(new java.net.InetSocketAddress("127.0.0.1", p.port(8080)), 5000);
            slow.getOutputStream().write("GET /large.bin HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            slow.getOutputStream().flush();
            for (int i = 0; i < 5; i++) {
                assertThat(get("/a.html").bodyText()).isEqualTo("<p>hello</p>\n");
            }
            slow.setSoTimeout(20_000);
            InputStream in = slow.getInputStream();
            String head = readHead(in);
            assertThat(head).startsWith("HTTP/1.1 200").containsIgnoringCase("Content-Length: " + large.length);
            byte[] body = in.readNBytes(large.length);
            assertThat(body).isEqualTo(large);
        }
    }

    private static String readHead(InputStream in) throws Exception {
        StringBuilder b = new StringBuilder();
        while (!b.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                break;
            }
            b.append((char) c);
        }
        return b.toString();
    }

    static String awaitLog(TestPortico portico, String needle) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        String log = portico.errorLog();
        while (!log.contains(needle) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            log = portico.errorLog();
        }
        return log;
    }

    private static String awaitLog(String needle) throws InterruptedException {
        return awaitLog(p, needle);
    }
}
