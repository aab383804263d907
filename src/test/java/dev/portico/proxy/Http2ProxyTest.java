package dev.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.Await;
import dev.portico.testing.H2Client;
import dev.portico.testing.PortMap;
import dev.portico.testing.TestPortico;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * HTTP/2 clients through the proxy: requests leave as HTTP/1.1 through the same proxy and
 * pools, bodies both ways with backpressure (the stream's window towards the client, the
 * upstream socket towards the backend), over h2c prior knowledge with Netty's client.
 */
class Http2ProxyTest {
    private static String conf(String extra) {
        return "error_log logs/error.log info;\nevents {}\nhttp {\n client_body_temp_path body_tmp; client_max_body_size 0;\n"
            + " upstream backend { server 127.0.0.1:17081; keepalive 4; }\n"
            + " server { listen 127.0.0.1:8080; http2 on; location / { proxy_pass http://backend; proxy_http_version 1.1;"
            + " proxy_set_header Connection \"\"; " + extra + " } }\n}\n";
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    private static Http2Headers post(String path) {
        return H2Client.get(path).method("POST");
    }

    @Test
    void aBufferedBodyReachesTheBackendWithItsLength() throws Exception {
        PortMap ports = new PortMap();
        byte[] body = random(300_000);
        try (Backend b = Backend.on(ports, 17081, ex -> ex.send(200, "got " + ex.request.body().length));
             TestPortico p = TestPortico.builder().ports(ports).conf(conf("")).start();
             H2Client c = H2Client.plain(p.port(8080))) {
            Http2Headers h = post("/up").setInt("content-length", body.length);
            H2Client.Response r = c.send(h, body).get(20, TimeUnit.SECONDS);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo("got " + body.length);
            Backend.Request req = b.take();
            assertThat(req.version()).isEqualTo("HTTP/1.1");
            assertThat(req.header("Content-Length")).isEqualTo(Integer.toString(body.length));
            assertThat(req.body()).isEqualTo(body);
            assertThat(req.header("Host")).isEqualTo("backend");
        }
    }

    @Test
    void aBodyWithoutLengthIsStreamedChunkedWhenUnbuffered() throws Exception {
        PortMap ports = new PortMap();
        byte[] body = random(1_500_000);
        try (Backend b = Backend.on(ports, 17081, ex -> ex.send(200, "got " + ex.request.body().length));
             TestPortico p = TestPortico.builder().ports(ports).conf(conf("proxy_request_buffering off;")).start();
             H2Client c = H2Client.plain(p.port(8080))) {
            H2Client.Response r = c.send(post("/up"), body).get(20, TimeUnit.SECONDS);
            assertThat(r.bodyText()).isEqualTo("got " + body.length);
            Backend.Request req = b.take();
            assertThat(req.header("Transfer-Encoding")).isEqualTo("chunked");
            assertThat(req.header("Content-Length")).isNull();
            assertThat(req.body()).isEqualTo(body);
        }
        // buffered, the same body is read first and sent with its length, as nginx does
        ports = new PortMap();
        try (Backend b = Backend.on(ports, 17081, ex -> ex.send(200, "ok"));
             TestPortico p = TestPortico.builder().ports(ports).conf(conf("")).start();
             H2Client c = H2Client.plain(p.port(8080))) {
            assertThat(c.send(post("/up"), body).get(20, TimeUnit.SECONDS).status()).isEqualTo(200);
            Backend.Request req = b.take();
            assertThat(req.header("Content-Length")).isEqualTo(Integer.toString(body.length));
            assertThat(req.body()).isEqualTo(body);
        }
    }

    @Test
    void theJdkClientStreamsABodyOverTls() throws Exception {
        // the JDK client sends a body of unknown length (an InputStream) as DATA frames without content-length
        PortMap ports = new PortMap();
        byte[] body = random(700_000);
        dev.portico.testing.TestCertificates certs = new dev.portico.testing.TestCertificates();
        var cert = certs.rsa("localhost");
        String tls = conf("proxy_request_buffering off;").replace("listen 127.0.0.1:8080;", "listen 127.0.0.1:8443 ssl;"
            + " ssl_certificate c.crt; ssl_certificate_key c.key;");
        try (Backend b = Backend.on(ports, 17081, ex -> ex.send(200, "got " + ex.request.body().length));
             TestPortico p = TestPortico.builder().ports(ports).conf(tls)
                 .file("conf/c.crt", cert.chainPem()).file("conf/c.key", cert.keyPem()).start()) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(certs.clientContext()).build();
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(java.net.URI.create("https://localhost:" + p.port(8443) + "/up"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))).build(),
                HttpResponse.BodyHandlers.ofString());
            assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(r.body()).isEqualTo("got " + body.length);
            assertThat(b.take().body()).isEqualTo(body);
        }
    }

    @Test
    void aBackendThatDoesNotReadStopsTheClientThroughItsWindow() throws Exception {
        PortMap ports = new PortMap();
        byte[] body = random(24 * 1024 * 1024);
        CountDownLatch go = new CountDownLatch(1);
        AtomicReference<byte[]> received = new AtomicReference<>();
        try (Backend b = Backend.streaming(ports, 17081, ex -> {
                go.await(30, TimeUnit.SECONDS);
                received.set(Backend.readBody(ex.in, ex.request));
                ex.send(200, "ok");
            });
             TestPortico p = TestPortico.builder().ports(ports).conf(conf("proxy_request_buffering off;")).start();
             H2Client c = H2Client.plain(p.port(8080))) {
            CompletableFuture<H2Client.Response> done = new CompletableFuture<>();
            Http2StreamChannel s = c.open(post("/up").setInt("content-length", body.length), done);
            s.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(body), true));
            var codec = c.codec();
            var stream = codec.connection().stream(s.stream().id());
            // the client's bytes stop moving once the backend's socket and the stream's window are full
            Await.until(Duration.ofSeconds(20), "the stream's window to close", () -> c.channel().eventLoop().submit(() ->
                codec.connection().remote().flowController().windowSize(stream) == 0
                    && codec.connection().remote().flowController().hasFlowControlled(stream)).syncUninterruptibly().getNow());
            go.countDown();
            assertThat(done.get(30, TimeUnit.SECONDS).status()).isEqualTo(200);
            assertThat(Arrays.equals(received.get(), body)).isTrue();
        }
    }

    @Test
    void aSlowClientWindowHoldsTheBackendBack() throws Exception {
        // the client announces a 16k stream window: the response comes as the window opens
        PortMap ports = new PortMap();
        byte[] big = random(5 * 1024 * 1024);
        try (Backend b = Backend.on(ports, 17081, ex -> {
                ex.raw("HTTP/1.1 200 OK\r\nContent-Length: " + big.length + "\r\n\r\n");
                OutputStream out = ex.out;
                out.write(big);
                out.flush();
            });
             TestPortico p = TestPortico.builder().ports(ports).conf(conf("")).start();
             H2Client c = H2Client.plain(p.port(8080), new Http2Settings().initialWindowSize(16 * 1024))) {
            List<CompletableFuture<H2Client.Response>> all = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                all.add(c.send(H2Client.get("/big" + i), null));
            }
            for (CompletableFuture<H2Client.Response> f : all) {
                H2Client.Response r = f.get(60, TimeUnit.SECONDS);
                assertThat(r.status()).isEqualTo(200);
                assertThat(Arrays.equals(r.body(), big)).isTrue();
            }
        }
    }

    @Test
    void limitRatePacesAnUnbufferedResponse() throws Exception {
        PortMap ports = new PortMap();
        byte[] body = random(100 * 1024);
        try (Backend b = Backend.on(ports, 17081, ex -> {
                ex.raw("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\n\r\n");
                ex.out.write(body);
                ex.out.flush();
            });
             TestPortico p = TestPortico.builder().ports(ports).conf(conf("proxy_buffering off; limit_rate 40k;")).start();
             H2Client c = H2Client.plain(p.port(8080))) {
            long start = System.nanoTime();
            H2Client.Response r = c.get("/paced", 30);
            assertThat(Arrays.equals(r.body(), body)).isTrue();
            // 100 KiB at 40 KiB/s, the first 40 KiB at once: a second and a half
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(1200);
        }
    }

    @Test
    void trailersAndErrorPagesGoThroughTheSameExchange() throws Exception {
        PortMap ports = new PortMap();
        String extra = "add_trailer X-T done; proxy_intercept_errors on; error_page 502 = /fallback;";
        String c2 = conf(extra).replace("location / {", "location = /fallback { return 200 \"fallback $server_protocol\\n\"; } location / {");
        try (Backend b = Backend.on(ports, 17081, ex -> {
                if (ex.request.target().equals("/bad")) {
                    ex.send(502, "bad");
                } else {
                    ex.send(200, "fine");
                }
            });
             TestPortico p = TestPortico.builder().ports(ports).conf(c2).start();
             H2Client c = H2Client.plain(p.port(8080))) {
            H2Client.Response ok = c.get("/ok", 10);
            assertThat(ok.bodyText()).isEqualTo("fine");
            assertThat(ok.trailers()).isNotNull();
            assertThat(ok.trailers().get("x-t").toString()).isEqualTo("done");
            H2Client.Response bad = c.get("/bad", 10);
            assertThat(bad.status()).isEqualTo(200);
            assertThat(bad.bodyText()).isEqualTo("fallback HTTP/2.0\n");
        }
    }

    @Test
    void theResponseHeadIsNginxsOrderInLowerCaseWithoutConnectionFields() throws Exception {
        PortMap ports = new PortMap();
        try (Backend b = Backend.on(ports, 17081, ex -> ex.raw("HTTP/1.1 200 OK\r\nX-App: 1\r\nTransfer-Encoding: chunked\r\n"
                + "Keep-Alive: timeout=5\r\nContent-Type: text/plain\r\nX-Hop: h\r\nConnection: keep-alive, X-Hop\r\n"
                + "Set-Cookie: a=1\r\n\r\n2\r\nok\r\n0\r\n\r\n"));
             TestPortico p = TestPortico.builder().ports(ports).conf(conf("")).start();
             H2Client c = H2Client.plain(p.port(8080))) {
            H2Client.Response r = c.get("/h", 10);
            assertThat(r.bodyText()).isEqualTo("ok");
            List<String> names = new ArrayList<>();
            r.headers().forEach(e -> names.add(e.getKey().toString()));
            // nginx's own fields first, then the backend's as they came, without those of the hop (as nginx,
            // the proxy drops the backend's Connection without reading the names it lists)
            assertThat(names).containsExactly(":status", "server", "date", "content-type", "x-app", "x-hop", "set-cookie");
        }
    }

    @Test
    void authRequestSubrequestsRunForHttp2Streams() throws Exception {
        PortMap ports = new PortMap();
        String c = conf("").replace("location / {", "location = /_auth { internal; proxy_pass http://backend/check; proxy_pass_request_body off;"
            + " proxy_set_header Content-Length \"\"; } location / { auth_request /_auth; auth_request_set $user $upstream_http_x_user;"
            + " add_header X-User $user;");
        try (Backend b = Backend.on(ports, 17081, ex -> {
                if (ex.request.target().equals("/check")) {
                    if ("yes".equals(ex.request.header("X-Token"))) {
                        ex.send(204, "", "X-User: alice");
                    } else {
                        ex.send(401, "");
                    }
                } else {
                    ex.send(200, "app " + ex.request.target());
                }
            });
             TestPortico p = TestPortico.builder().ports(ports).conf(c).start();
             H2Client h = H2Client.plain(p.port(8080))) {
            H2Client.Response ok = h.send(H2Client.get("/page").set("x-token", "yes"), null).get(10, TimeUnit.SECONDS);
            assertThat(ok.status()).isEqualTo(200);
            assertThat(ok.bodyText()).isEqualTo("app /page");
            assertThat(ok.header("x-user")).isEqualTo("alice");
            H2Client.Response no = h.send(H2Client.get("/page"), null).get(10, TimeUnit.SECONDS);
            assertThat(no.status()).isEqualTo(401);
        }
    }

    @Test
    void aBackendDyingMidBodyResetsOnlyThatStream() throws Exception {
        PortMap ports = new PortMap();
        try (Backend b = Backend.on(ports, 17081, ex -> {
                if (ex.request.target().equals("/cut")) {
                    ex.raw("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\npartial");
                    ex.close();
                } else {
                    ex.send(200, "whole");
                }
            });
             TestPortico p = TestPortico.builder().ports(ports).conf(conf("")).start();
             H2Client c = H2Client.plain(p.port(8080))) {
            H2Client.Response cut = c.get("/cut", 10);
            assertThat(cut.resetCode()).isEqualTo(2L); // INTERNAL_ERROR, as nginx resets a stream it cannot finish
            assertThat(c.get("/after", 10).bodyText()).isEqualTo("whole");
            assertThat(c.channel().isActive()).isTrue();
        }
        assertThat(StandardCharsets.UTF_8).isNotNull();
    }
}
