package dev.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portico.testing.Await;
import dev.portico.testing.PortMap;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * lingering_close, lingering_time, lingering_timeout: after a 413 for a body still arriving,
 * Portico shuts its output down and reads and drops the rest for a bounded time, so that the
 * client reads the whole 413 instead of a TCP reset (nginx's ngx_http_set_lingering_close).
 */
class LingeringCloseTest {
    private static final byte[] CHUNK = chunk(16 * 1024);
    private static Backend backend;
    private static TestPortico portico;

    @BeforeAll
    static void start() {
        PortMap ports = new PortMap();
        backend = Backend.on(ports, 18090, ex -> ex.send(200, "proxied\n"));
        portico = TestPortico.builder().ports(ports).conf("""
            events {}
            http {
                client_max_body_size 1k;
                server {
                    listen 127.0.0.1:18080;
                    location / { proxy_pass http://127.0.0.1:18090; }
                    location /short/ { lingering_time 1s; proxy_pass http://127.0.0.1:18090; }
                    location /quiet/ { lingering_timeout 200ms; proxy_pass http://127.0.0.1:18090; }
                }
            }
            """).start();
    }

    @AfterAll
    static void stop() {
        portico.close();
        backend.close();
    }

    private static byte[] chunk(int size) {
        byte[] data = new byte[size];
        java.util.Arrays.fill(data, (byte) 'x');
        byte[] head = (Integer.toHexString(size) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
        byte[] out = new byte[head.length + size + 2];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(data, 0, out, head.length, size);
        out[out.length - 2] = '\r';
        out[out.length - 1] = '\n';
        return out;
    }

    /** Sends {@code chunks} chunks of 16 KB (pausing {@code pauseMillis} between them), then the last chunk; false when the server cut the connection. */
    private static CompletableFuture<Boolean> sendBody(RawHttp c, int chunks, long pauseMillis) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                OutputStream out = c.socket().getOutputStream();
                for (int i = 0; i < chunks; i++) {
                    out.write(CHUNK);
                    if (pauseMillis > 0) {
                        out.flush();
                        // a slow client: pacing is what is being tested, not a wait for a condition
                        Thread.sleep(pauseMillis);
                    }
                }
                out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                c.socket().shutdownOutput();
                return true;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        });
    }

    @Test
    void aFastChunkedBodyOverTheLimitGets413AndTheClientReadsAllOfIt() throws Exception {
        try (RawHttp c = new RawHttp(portico.port(18080))) {
            c.send("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
            CompletableFuture<Boolean> sent = sendBody(c, 512, 0);
            RawHttp.Response r = c.readResponse(false);
            assertThat(r.status()).isEqualTo(413);
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(r.bodyText()).contains("413 Request Entity Too Large");
            // all 8 MB were taken and dropped: the client could finish sending, no reset
            assertThat(sent.get(30, TimeUnit.SECONDS)).isTrue();
            assertThat(c.closedByServer(10_000)).isTrue();
        }
        assertThat(backend.requests).isEmpty();
    }

    @Test
    void aContentLengthOverTheLimitGets413WhileTheBodyIsStillComing() throws Exception {
        try (RawHttp c = new RawHttp(portico.port(18080))) {
            int chunks = 512;
            long length = (long) CHUNK.length * chunks + 5;
            c.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: " + length + "\r\n\r\n");
            CompletableFuture<Boolean> sent = sendBody(c, chunks, 0);
            RawHttp.Response r = c.readResponse(false);
            assertThat(r.status()).isEqualTo(413);
            assertThat(sent.get(30, TimeUnit.SECONDS)).isTrue();
            assertThat(c.closedByServer(10_000)).isTrue();
        }
        assertThat(backend.requests).isEmpty();
    }

    @Test
    void aSlowClientReads413AndIsCutOffAfterLingeringTime() throws Exception {
        try (RawHttp c = new RawHttp(portico.port(18080))) {
            c.send("POST /short/upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
            // 16 KB every 50 ms for up to 30 s: far longer than lingering_time 1s
            CompletableFuture<Boolean> sent = sendBody(c, 600, 50);
            RawHttp.Response r = c.readResponse(false);
            assertThat(r.status()).isEqualTo(413);
            assertThat(r.bodyText()).contains("413 Request Entity Too Large");
            // the output was shut down after the response: the client sees its end at once
            assertThat(c.closedByServer(10_000)).isTrue();
            // and the server stops reading once lingering_time is over: the sender's writes fail
            assertThat(sent.get(30, TimeUnit.SECONDS)).isFalse();
        }
    }

    @Test
    void aClientThatFallsSilentIsClosedAfterLingeringTimeout() {
        try (RawHttp c = new RawHttp(portico.port(18080))) {
            // 2 KB of a chunked body, then nothing more (and the socket stays open)
            c.send("POST /quiet/upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n" + "y".repeat(2048) + "\r\n");
            assertThat(c.readResponse(false).status()).isEqualTo(413);
            // well before lingering_time (30s): lingering_timeout of silence ends it
            Await.until(Duration.ofSeconds(10), "the server to close the silent connection",
                () -> portico.server().openConnections() == 0);
        }
    }

    @Test
    void theDirectivesAreCheckedAsNginxChecksThem() {
        assertThatThrownBy(() -> TestPortico.load("events {} http { lingering_close sometimes; }"))
            .hasMessageContaining("invalid value \"sometimes\"");
        assertThatThrownBy(() -> TestPortico.load("events {} http { lingering_timeout soon; }"))
            .hasMessageContaining("\"lingering_timeout\" directive invalid value");
        assertThatThrownBy(() -> TestPortico.load("events { lingering_time 1s; } http { }"))
            .hasMessageContaining("\"lingering_time\" directive is not allowed here");
    }
}
