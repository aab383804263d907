package dev.portico.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.Await;
import dev.portico.testing.H2Client;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestCertificates;
import dev.portico.testing.TestPortico;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * HTTP/2 to clients through real clients: the JDK's HttpClient over TLS (ALPN h2), Netty's
 * client with prior knowledge on a plain port; routing, variables, static files and the access
 * log through the same exchange as HTTP/1.1.
 */
class Http2Test {
    private static final TestCertificates CERTS = new TestCertificates();
    private static final TestCertificates.Issued LOCAL = CERTS.rsa("localhost", "127.0.0.1");
    private static final TestCertificates.Issued OTHER = CERTS.rsa("h1.test");

    private static final String CONF = """
        error_log logs/error.log info;
        events {}
        http {
          log_format h2 '$request $status $server_protocol [$http2] $body_bytes_sent';
          access_log logs/access.log h2;
          ssl_certificate local.crt;
          ssl_certificate_key local.key;
          server {
            listen 127.0.0.1:8443 ssl default_server;
            listen 127.0.0.1:8080;
            server_name localhost;
            http2 on;
            root html;
            location /v { return 200 "$server_protocol [$http2] $request $host $scheme c$connection r$connection_requests\\n"; }
            location /files/ { }
            location /nf { return 404; }
            location /slow/ { alias html/files/; limit_rate 50k; }
          }
          server {
            listen 127.0.0.1:8443 ssl;
            server_name h1.test;
            ssl_certificate other.crt;
            ssl_certificate_key other.key;
            location / { return 200 "h1 $server_protocol\\n"; }
          }
        }
        """;

    private static final byte[] BIG = new byte[3 * 1024 * 1024 + 17];

    static {
        new Random(7).nextBytes(BIG);
    }

    @AfterEach
    void engineBack() {
        System.clearProperty("portico.tls.engine");
    }

    private static TestPortico start(String engine, String conf) {
        System.setProperty("portico.tls.engine", engine);
        return TestPortico.builder().conf(conf)
            .file("conf/local.crt", LOCAL.chainPem()).file("conf/local.key", LOCAL.keyPem())
            .file("conf/other.crt", OTHER.chainPem()).file("conf/other.key", OTHER.keyPem())
            .file("html/files/big.bin", BIG)
            .start();
    }

    private static HttpClient h2Client() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(CERTS.clientContext()).build();
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void alpnNegotiatesH2AndTheRequestLooksLikeNginxs(String engine) throws Exception {
        try (TestPortico p = start(engine, CONF)) {
            HttpResponse<String> r = h2Client().send(HttpRequest.newBuilder(URI.create("https://localhost:" + p.port(8443) + "/v?a=1")).build(),
                HttpResponse.BodyHandlers.ofString());
            assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).startsWith("HTTP/2.0 [h2] GET /v?a=1 HTTP/2.0 localhost https ");
            // no connection-specific fields in an HTTP/2 response
            assertThat(r.headers().firstValue("connection")).isEmpty();
            assertThat(r.headers().firstValue("server")).hasValueSatisfying(v -> assertThat(v).startsWith("portico"));
            Await.until(Duration.ofSeconds(5), "the access log line", () -> p.readFile("logs/access.log")
                .contains("GET /v?a=1 HTTP/2.0 200 HTTP/2.0 [h2] "));
        }
    }

    @Test
    void alpnOffersH2OnlyWhereTheServerSniChoseHasIt() throws Exception {
        try (TestPortico p = start("openssl", CONF)) {
            // h1.test has no "http2 on": ALPN stays at http/1.1 for it, as nginx decides by the SNI server
            HttpClient client = h2Client();
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + p.port(8443) + "/v")).build(),
                HttpResponse.BodyHandlers.ofString());
            assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(alpn(p.port(8443), "localhost")).isEqualTo("h2");
            assertThat(alpn(p.port(8443), "h1.test")).isEqualTo("http/1.1");
        }
        String off = CONF.replace("http2 on;", "");
        try (TestPortico p = start("openssl", off)) {
            HttpResponse<String> r = h2Client().send(HttpRequest.newBuilder(URI.create("https://localhost:" + p.port(8443) + "/v")).build(),
                HttpResponse.BodyHandlers.ofString());
            assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
            assertThat(r.body()).startsWith("HTTP/1.1 [] GET /v HTTP/1.1 ");
        }
    }

    @Test
    void listenHttp2TurnsItOnForEveryServerOfTheAddress() throws Exception {
        // the deprecated parameter still works, for the whole address (h1.test included), as in nginx
        String c = CONF.replace("http2 on;", "").replace("listen 127.0.0.1:8443 ssl default_server;", "listen 127.0.0.1:8443 ssl http2 default_server;");
        try (TestPortico p = start("jdk", c)) {
            assertThat(alpn(p.port(8443), "localhost")).isEqualTo("h2");
            assertThat(alpn(p.port(8443), "h1.test")).isEqualTo("h2");
            // the plain address has no http2: the preface is not taken there
            try (RawHttp raw = new RawHttp(p.port(8080))) {
                assertThat(raw.send("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n").readUntilClose(5000)).startsWith("HTTP/1.1 ");
            }
        }
    }

    /** The protocol ALPN settles on for a client offering h2 and http/1.1 with this server name. */
    static String alpn(int port, String serverName) throws Exception {
        try (javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) CERTS.clientContext().getSocketFactory().createSocket("127.0.0.1", port)) {
            javax.net.ssl.SSLParameters sp = s.getSSLParameters();
            sp.setServerNames(List.of(new javax.net.ssl.SNIHostName(serverName)));
            sp.setApplicationProtocols(new String[] {"h2", "http/1.1"});
            s.setSSLParameters(sp);
            s.setSoTimeout(10_000);
            s.startHandshake();
            return s.getApplicationProtocol();
        }
    }

    @Test
    void manyConcurrentStreamsShareOneConnection() throws Exception {
        try (TestPortico p = start("openssl", CONF)) {
            HttpClient client = h2Client();
            // the first request opens the connection (the JDK client would otherwise race several)
            client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + p.port(8443) + "/v")).build(),
                HttpResponse.BodyHandlers.ofString());
            List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                all.add(client.sendAsync(HttpRequest.newBuilder(URI.create("https://localhost:" + p.port(8443) + "/v?i=" + i)).build(),
                    HttpResponse.BodyHandlers.ofString()));
            }
            Set<String> connections = new HashSet<>();
            for (CompletableFuture<HttpResponse<String>> f : all) {
                HttpResponse<String> r = f.get(20, TimeUnit.SECONDS);
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
                connections.add(r.body().replaceAll(".* (c\\d+) .*\\n", "$1"));
            }
            assertThat(connections).hasSize(1);
        }
    }

    @Test
    void largeFilesGoOverSeveralStreamsAtOnce() throws Exception {
        try (TestPortico p = start("openssl", CONF)) {
            HttpClient client = h2Client();
            List<CompletableFuture<HttpResponse<byte[]>>> all = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                all.add(client.sendAsync(HttpRequest.newBuilder(URI.create("https://localhost:" + p.port(8443) + "/files/big.bin")).build(),
                    HttpResponse.BodyHandlers.ofByteArray()));
            }
            for (CompletableFuture<HttpResponse<byte[]>> f : all) {
                HttpResponse<byte[]> r = f.get(30, TimeUnit.SECONDS);
                assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
                assertThat(r.headers().firstValue("content-length")).hasValue(Integer.toString(BIG.length));
                assertThat(r.body()).isEqualTo(BIG);
            }
            HttpResponse<String> head = client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + p.port(8443) + "/files/big.bin"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(head.statusCode()).isEqualTo(200);
            assertThat(head.body()).isEmpty();
        }
    }

    @Test
    void priorKnowledgeOnAPlainPortAndHttp1StillServedThere() throws Exception {
        try (TestPortico p = start("openssl", CONF)) {
            try (H2Client c = H2Client.plain(p.port(8080))) {
                H2Client.Response r = c.get("/v", 10);
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.bodyText()).startsWith("HTTP/2.0 [h2c] GET /v HTTP/2.0 localhost http ");
                H2Client.Response nf = c.get("/nf", 10);
                assertThat(nf.status()).isEqualTo(404);
                assertThat(nf.bodyText()).contains("<title>404 Not Found</title>");
                H2Client.Response file = c.get("/files/big.bin", 30);
                assertThat(file.body()).isEqualTo(BIG);
                // the server's SETTINGS: nginx's defaults
                assertThat(c.settings.get(0).maxConcurrentStreams()).isEqualTo(128L);
                assertThat(c.settings.get(0).initialWindowSize()).isEqualTo(65536);
            }
            try (RawHttp c = new RawHttp(p.port(8080))) {
                RawHttp.Response r = c.send("GET /v HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false);
                assertThat(r.bodyText()).startsWith("HTTP/1.1 [] GET /v HTTP/1.1 a http ");
            }
        }
    }

    @Test
    void withoutHttp2APlainPortAnswersThePrefaceAsHttp1() throws Exception {
        try (TestPortico p = start("openssl", CONF.replace("http2 on;", ""))) {
            try (RawHttp c = new RawHttp(p.port(8080))) {
                String all = c.send("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n").readUntilClose(5000);
                // an HTTP/1 answer (nginx refuses the "*" target, Portico the version first), never HTTP/2
                assertThat(all).startsWith("HTTP/1.1 ");
            }
        }
    }

    @Test
    void limitRatePacesEachStream() throws Exception {
        try (TestPortico p = start("openssl", CONF)) {
            p.writeFile("html/files/mid.bin", "x".repeat(150 * 1024));
            try (H2Client c = H2Client.plain(p.port(8080))) {
                long start = System.nanoTime();
                // two streams at once: each is paced on its own, as nginx paces each request
                var a = c.send(H2Client.get("/slow/mid.bin"), null);
                var b = c.send(H2Client.get("/slow/mid.bin"), null);
                assertThat(a.get(30, TimeUnit.SECONDS).body()).hasSize(150 * 1024);
                assertThat(b.get(30, TimeUnit.SECONDS).body()).hasSize(150 * 1024);
                // 150 KiB at 50 KiB/s with a first second's worth at once: two seconds, never much less
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(1500);
                // an unpaced location on the same connection is not held back
                long fast = System.nanoTime();
                assertThat(c.get("/files/mid.bin", 10).body()).hasSize(150 * 1024);
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - fast)).isLessThan(1500);
            }
        }
    }

    @Test
    void theLargeFileOverTlsTakesChunksNotSendfile() throws Exception {
        try (TestPortico p = start("openssl", CONF); H2Client c = H2Client.tls(p.port(8443), CERTS)) {
            H2Client.Response r = c.get("/files/big.bin", 30);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo(BIG);
            assertThat(Files.exists(p.prefix().resolve("logs/access.log"))).isTrue();
        }
    }
}
