package dev.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.PortMap;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Request bodies: read first (memory or temporary file) or streamed, both framings, 100-continue, limits. */
class RequestBodyTest {
    private static String conf(String extra) {
        return "error_log logs/error.log info;\nevents {}\nhttp {\n client_body_temp_path body_tmp;\n upstream backend { server 127.0.0.1:17081; }\n"
            + " server { listen 127.0.0.1:8080; location / { proxy_pass http://backend; " + extra + " } }\n}\n";
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    private static RawHttp.Response finalResponse(RawHttp c) {
        RawHttp.Response r = c.readResponse(false);
        return r.status() == 100 ? c.readResponse(false) : r;
    }

    @Test
    void aSmallBodyIsPassedWithItsLength() throws Exception {
        PortMap ports = new PortMap();
        try (Backend b = Backend.on(ports, 17081, ex -> ex.send(200, "got " + ex.request.body().length));
             TestPortico p = TestPortico.builder().ports(ports).conf(conf("")).start(); RawHttp c = new RawHttp(p.port(8080))) {
            RawHttp.Response r = c.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello").readResponse(false);
            assertThat(r.bodyText()).isEqualTo("got 5");
            assertThat(b.take().bodyText()).isEqualTo("hello");
        }
    }

    @Test
    void aBodyLargerThanTheBufferGoesThroughATemporaryFileThatIsDeletedAfterwards() throws Exception {
        PortMap ports = new PortMap();
        byte[] body = random(300_000);
        try (Backend b = Backend.on(ports, 17081, ex -> ex.send(200, "ok"));
             TestPortico p = TestPortico.builder().ports(ports).conf(conf("")).start(); RawHttp c = new RawHttp(p.port(8080))) {
            c.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: " + body.length + "\r\n\r\n").send(body);
            assertThat(c.readResponse(false).status()).isEqualTo(200);
            Backend.Request req = b.take();
            assertThat(req.header("Content-Length")).isEqualTo(Integer.toString(body.length));
            assertThat(Arrays.equals(req.body(), body)).isTrue();
            assertThat(p.errorLog()).contains("[warn]").contains("a client request body is buffered to a temporary file "
                + p.prefix().resolve("body_tmp"));
            Path dir = p.prefix().resolve("body_tmp");
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (listing(dir) > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(listing(dir)).isZero();
        }
    }

    private static long listing(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "proxy_request_buffering off; proxy_http_version 1.0;"})
    void aChunkedBodyIsSentWithContentLengthWhenBuffered(String extra) throws Exception {
        PortMap ports = new PortMap();
        try (Backend b = Backend.on(ports, 17081, ex -> ex.send(200, "ok"));
             TestPortico p = TestPortico.builder().ports(ports).conf(conf(extra)).start(); RawHttp c = new RawHttp(p.port(8080))) {
            c.send("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n6\r\nefghij\r\n0\r\n\r\n");
            assertThat(c.readResponse(false).status()).isEqualTo(200);
            Backend.Request req = b.take();
            assertThat(req.header("Content-Length")).isEqualTo("10");
            assertThat(req.header("Transfer-Encoding")).isNull();
            assertThat(req.bodyText()).isEqualTo("abcdefghij");
        }
    }

    @Test
    void unbufferedBodiesReachTheBackendBeforeTheClientFinishes() throws Exception {
        PortMap ports = new PortMap();
        CountDownLatch firstBytes = new CountDownLatch(1);
        AtomicReference<String> received = new AtomicReference<>();
        try (Backend b = Backend.streaming(ports, 17081, ex -> {
                byte[] first = ex.in.readNBytes(5);
                firstBytes.countDown();
                byte[] rest = ex.in.readNBytes(5);
                received.set(new String(first, StandardCharsets.US_ASCII) + new String(rest, StandardCharsets.US_ASCII));
                ex.send(200, "ok");
            });
             TestPortico p = TestPortico.builder().ports(ports).conf(conf("proxy_request_buffering off;")).start();
             RawHttp c = new RawHttp(p.port(8080))) {
            c.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nhello");
            assertThat(firstBytes.await(10, TimeUnit.SECONDS)).isTrue();
            c.send("world");
            assertThat(c.readResponse(false).status()).isEqualTo(200);
            assertThat(received.get()).isEqualTo("helloworld");
            assertThat(b.take().header("Content-Length")).isEqualTo("10");
        }
    }

    @Test
    void unbufferedChunkedBodiesStayChunked() throws Exception {
        PortMap ports = new PortMap();
        try (Backend b = Backend.on(ports, 17081, ex -> ex.send(200, ex.request.bodyText()));
             TestPortico p = TestPortico.builder().ports(ports).conf(conf("proxy_request_buffering off;")).start();
             RawHttp c = new RawHttp(p.port(8080))) {
            c.send("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n");
            c.send("2\r\nde\r\n0\r\n\r\n");
            RawHttp.Response r = c.readResponse(false);
            assertThat(r.bodyText()).isEqualTo("abcde");
            Backend.Request req = b.take();
            assertThat(req.header("Transfer-Encoding")).isEqualTo("chunked");
            assertThat(req.header("Content-Length")).isNull();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "proxy_request_buffering off;"})
    void expectContinueIsAnsweredBeforeTheBodyIsSent(String extra) throws Exception {
        PortMap ports = new PortMap();
        try (Backend b = Backend.on(ports, 17081, ex -> ex.send(200, ex.request.bodyText()));
             TestPortico p = TestPortico.builder().ports(ports).conf(conf(extra)).start(); RawHttp c = new RawHttp(p.port(8080))) {
            c.send("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
            RawHttp.Response interim = c.readResponse(true);
            assertThat(interim.status()).isEqualTo(100);
            c.send("data");
            RawHttp.Response r = c.readResponse(false);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo("data");
            assertThat(b.take().header("Expect")).isNull();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "proxy_request_buffering off;"})
    void aChunkedBodyOverTheLimitIs413(String extra) throws Exception {
        PortMap ports = new PortMap();
        try (Backend b = Backend.on(ports, 17081, ex -> ex.send(200, "ok"));
             TestPortico p = TestPortico.builder().ports(ports).conf(conf("client_max_body_size 10; " + extra)).start();
             RawHttp c = new RawHttp(p.port(8080))) {
            c.send("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n");
            RawHttp.Response r = finalResponse(c);
            assertThat(r.status()).isEqualTo(413);
            assertThat(p.errorLog()).contains("client intended to send too large chunked body: 8+8 bytes");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "proxy_request_buffering off;"})
    void aBodyThatStallsGets408AfterClientBodyTimeoutAndNoBackendConnectionIsLeftOpen(String extra) throws Exception {
        PortMap ports = new PortMap();
        try (Backend b = Backend.streaming(ports, 17081, ex -> {
                // reads what comes until the proxy gives up on the request
                ex.in.readAllBytes();
                ex.close();
            });
             TestPortico p = TestPortico.builder().ports(ports).conf(conf("client_body_timeout 300ms; " + extra)).start();
             RawHttp c = new RawHttp(p.port(8080))) {
            c.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc");
            RawHttp.Response r = c.readResponse(false);
            assertThat(r.status()).isEqualTo(408);
            assertThat(r.header("Connection")).isEqualTo("close");
            awaitTrue(() -> p.errorLog().contains("client timed out (110: Connection timed out) while reading client request body"));
            // buffered: the backend was never asked; streamed: its connection was closed
            awaitTrue(() -> b.closedConnections.get() == b.connections.get());
            if (extra.isEmpty()) {
                assertThat(b.connections.get()).isZero();
            }
        }
    }

    private static void awaitTrue(java.util.function.BooleanSupplier cond) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!cond.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition in time").isLessThan(deadline);
            Thread.sleep(10);
        }
    }
}
