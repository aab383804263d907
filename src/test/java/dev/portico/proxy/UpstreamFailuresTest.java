package dev.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.PortMap;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Timeouts and broken backends: the client always gets an answer (502/504 before the response
 * head) or a clean close (after it), error pages never name the backend, the error log does.
 */
class UpstreamFailuresTest {
    private static String conf(String locationExtra) {
        return "events {}\nhttp {\n server { listen 127.0.0.1:8080; server_name front.test;\n location / { proxy_pass "
            + "http://127.0.0.1:17081; " + locationExtra + " }\n }\n}\n";
    }

    private static void assertNoBackendAddress(RawHttp.Response r, int backendPort) {
        String all = r.statusLine() + r.headers().stream().map(h -> h[0] + ": " + h[1]).reduce("", String::concat) + r.bodyText();
        assertThat(all).doesNotContain("127.0.0.1").doesNotContain(Integer.toString(backendPort)).doesNotContain("upstream");
    }

    @Test
    void refusedConnectionIs502AndTheLogNamesTheUpstream() {
        PortMap ports = new PortMap();
        int dead = ports.get(17081);
        try (TestPortico p = TestPortico.builder().ports(ports).conf(conf("")).start(); RawHttp c = new RawHttp(p.port(8080))) {
            RawHttp.Response r = c.send("GET /x?y=1 HTTP/1.1\r\nHost: front.test\r\n\r\n").readResponse(false);
            assertThat(r.status()).isEqualTo(502);
            assertThat(r.bodyText()).contains("<center><h1>502 Bad Gateway</h1></center>");
            assertNoBackendAddress(r, dead);
            assertThat(p.errorLog()).contains("[error]").contains("connect() failed (111: Connection refused) while connecting to "
                + "upstream, client: 127.0.0.1, server: front.test, request: \"GET /x?y=1 HTTP/1.1\", upstream: "
                + "\"http://127.0.0.1:" + dead + "/x?y=1\", host: \"front.test\"");
        }
    }

    @Test
    void connectTimeoutIs504AfterProxyConnectTimeout() throws Exception {
        PortMap ports = new PortMap();
        List<Socket> fillers = new ArrayList<>();
        try (ServerSocket full = new ServerSocket()) {
            full.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), ports.get(17081)), 1);
            // fill the accept queue: further handshakes are dropped and connect() hangs
            for (int i = 0; i < 4; i++) {
                Socket s = new Socket();
                try {
                    s.connect(full.getLocalSocketAddress(), 200);
                } catch (IOException e) {
                    // the queue is full already
                }
                fillers.add(s);
            }
            try (TestPortico p = TestPortico.builder().ports(ports).conf(conf("proxy_connect_timeout 300ms;")).start();
                 RawHttp c = new RawHttp(p.port(8080))) {
                long t0 = System.nanoTime();
                RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: front.test\r\n\r\n").readResponse(false);
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertThat(r.status()).isEqualTo(504);
                assertThat(ms).isBetween(250L, 5000L);
                assertNoBackendAddress(r, ports.get(17081));
                assertThat(p.errorLog()).contains("upstream timed out (110: Connection timed out) while connecting to upstream");
            }
        } finally {
            for (Socket s : fillers) {
                s.close();
            }
        }
    }

    @Test
    void readTimeoutBeforeTheHeaderIs504() throws Exception {
        PortMap ports = new PortMap();
        CountDownLatch release = new CountDownLatch(1);
        try (Backend b = Backend.on(ports, 17081, ex -> release.await(10, TimeUnit.SECONDS));
             TestPortico p = TestPortico.builder().ports(ports).conf(conf("proxy_read_timeout 300ms;")).start();
             RawHttp c = new RawHttp(p.port(8080))) {
            long t0 = System.nanoTime();
            RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: front.test\r\n\r\n").readResponse(false);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            release.countDown();
            assertThat(r.status()).isEqualTo(504);
            assertThat(r.bodyText()).contains("504 Gateway Time-out");
            assertThat(ms).isBetween(250L, 5000L);
            assertNoBackendAddress(r, ports.get(17081));
            assertThat(p.errorLog()).contains("upstream timed out (110: Connection timed out) while reading response header "
                + "from upstream");
        }
    }

    @Test
    void sendTimeoutWhenTheBackendDoesNotReadTheBodyIs504() throws Exception {
        PortMap ports = new PortMap();
        CountDownLatch release = new CountDownLatch(1);
        try (Backend b = Backend.streaming(ports, 17081, ex -> release.await(20, TimeUnit.SECONDS));
             TestPortico p = TestPortico.builder().ports(ports)
                 .conf(conf("proxy_send_timeout 500ms; client_max_body_size 0; client_body_buffer_size 16m;")).start();
             RawHttp c = new RawHttp(p.port(8080))) {
            byte[] body = new byte[16 * 1024 * 1024];
            c.send("POST / HTTP/1.1\r\nHost: front.test\r\nContent-Length: " + body.length + "\r\n\r\n").send(body);
            RawHttp.Response r = c.readResponse(false);
            release.countDown();
            assertThat(r.status()).isEqualTo(504);
            assertThat(p.errorLog()).contains("upstream timed out (110: Connection timed out) while sending request to upstream");
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "close before answering     | CLOSE                                                  | upstream prematurely closed connection while reading response header from upstream",
        "reset before answering     | RESET                                                  | recv() failed (104: Connection reset by peer) while reading response header from upstream",
        "invalid header line        | HTTP/1.1 200 OK\\r\\nBad Header Line\\r\\n\\r\\n       | upstream sent invalid header: \"Bad\\x20...\" while reading response header from upstream",
        "folded header line         | HTTP/1.1 200 OK\\r\\nA: b\\r\\n c\\r\\n\\r\\n          | upstream sent invalid header: \"\\x20...\" while reading response header from upstream",
        "no status line             | garbage here\\r\\n\\r\\n                                | upstream sent no valid HTTP/1.0 header while reading response header from upstream",
        "length and chunked         | HTTP/1.1 200 OK\\r\\nContent-Length: 3\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n3\\r\\nabc\\r\\n0\\r\\n\\r\\n | upstream sent \"Content-Length\" and \"Transfer-Encoding\" headers at the same time while reading response header from upstream",
        "two different lengths      | HTTP/1.1 200 OK\\r\\nContent-Length: 3\\r\\nContent-Length: 4\\r\\n\\r\\nabcd | upstream sent duplicate header line: \"Content-Length\" while reading response header from upstream",
        "unknown transfer coding    | HTTP/1.1 200 OK\\r\\nTransfer-Encoding: gzip, chunked\\r\\n\\r\\n0\\r\\n\\r\\n | upstream sent unknown \"Transfer-Encoding\": \"gzip, chunked\" while reading response header from upstream",
        "too big header             | BIG                                                    | upstream sent too big header while reading response header from upstream",
    })
    void brokenBackendAnswersAre502(String what, String script, String logged) throws Exception {
        PortMap ports = new PortMap();
        try (Backend b = Backend.on(ports, 17081, ex -> {
                switch (script) {
                    case "CLOSE" -> ex.close();
                    case "RESET" -> {
                        ex.close();
                        throw new ResetSignal();
                    }
                    case "BIG" -> ex.raw("HTTP/1.1 200 OK\r\nX-Big: " + "a".repeat(8000) + "\r\nContent-Length: 0\r\n\r\n");
                    default -> ex.raw(script.replace("\\r\\n", "\r\n"));
                }
            });
             TestPortico p = TestPortico.builder().ports(ports).conf(conf("")).start();
             RawHttp c = new RawHttp(p.port(8080))) {
            RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: front.test\r\n\r\n").readResponse(false);
            assertThat(r.status()).as(what).isEqualTo(502);
            assertNoBackendAddress(r, ports.get(17081));
            assertThat(p.errorLog()).contains(logged);
        }
    }

    /** Thrown by a handler to make the backend close with a TCP reset. */
    static final class ResetSignal extends RuntimeException {
    }

    @Test
    void backendDyingMidBodyWithLengthGivesAShortBodyAndAClose() throws Exception {
        PortMap ports = new PortMap();
        try (Backend b = Backend.on(ports, 17081, ex -> {
                ex.raw("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789");
                ex.close();
            });
             TestPortico p = TestPortico.builder().ports(ports).conf(conf("proxy_buffering off;")).start();
             RawHttp c = new RawHttp(p.port(8080))) {
            String all = c.send("GET / HTTP/1.1\r\nHost: front.test\r\n\r\n").readUntilClose(5000);
            assertThat(all).startsWith("HTTP/1.1 200 OK").contains("Content-Length: 100").endsWith("\r\n\r\n0123456789");
            assertThat(p.errorLog()).contains("upstream prematurely closed connection while reading upstream");
        }
    }

    @Test
    void backendDyingMidChunkedBodyNeverSendsTheLastChunk() throws Exception {
        PortMap ports = new PortMap();
        try (Backend b = Backend.on(ports, 17081, ex -> {
                ex.raw("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
                ex.close();
            });
             TestPortico p = TestPortico.builder().ports(ports).conf(conf("")).start();
             RawHttp c = new RawHttp(p.port(8080))) {
            String all = c.send("GET / HTTP/1.1\r\nHost: front.test\r\n\r\n").readUntilClose(5000);
            assertThat(all).startsWith("HTTP/1.1 200 OK").contains("Transfer-Encoding: chunked").contains("hello")
                .doesNotContain("\r\n0\r\n\r\n");
        }
    }

    @Test
    void badChunkingMidBodyClosesTheClientConnection() throws Exception {
        PortMap ports = new PortMap();
        try (Backend b = Backend.on(ports, 17081, ex -> ex.raw("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\nhello\r\nZZ\r\nnot a chunk\r\n"));
             TestPortico p = TestPortico.builder().ports(ports).conf(conf("")).start();
             RawHttp c = new RawHttp(p.port(8080))) {
            String all = c.send("GET / HTTP/1.1\r\nHost: front.test\r\n\r\n").readUntilClose(5000);
            assertThat(all).startsWith("HTTP/1.1 200 OK").contains("hello").doesNotContain("\r\n0\r\n\r\n");
            assertThat(p.errorLog()).contains("upstream sent invalid chunked response while reading upstream");
        }
    }

    @Test
    void readTimeoutMidBodyClosesTheClientConnection() throws Exception {
        PortMap ports = new PortMap();
        CountDownLatch release = new CountDownLatch(1);
        try (Backend b = Backend.on(ports, 17081, ex -> {
                ex.raw("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n01234");
                release.await(10, TimeUnit.SECONDS);
            });
             TestPortico p = TestPortico.builder().ports(ports).conf(conf("proxy_read_timeout 300ms;")).start();
             RawHttp c = new RawHttp(p.port(8080))) {
            String all = c.send("GET / HTTP/1.1\r\nHost: front.test\r\n\r\n").readUntilClose(5000);
            release.countDown();
            assertThat(all).startsWith("HTTP/1.1 200 OK").endsWith("01234");
            assertThat(p.errorLog()).contains("upstream timed out (110: Connection timed out) while reading upstream");
        }
    }

    @Test
    void closeDelimitedBackendResponseIsReframedForTheClient() throws Exception {
        PortMap ports = new PortMap();
        try (Backend b = Backend.on(ports, 17081, ex -> {
                ex.raw("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end");
                ex.close();
            });
             TestPortico p = TestPortico.builder().ports(ports).conf(conf("")).start();
             RawHttp c = new RawHttp(p.port(8080))) {
            RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: front.test\r\n\r\n").readResponse(false);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("Transfer-Encoding")).isEqualTo("chunked");
            assertThat(r.bodyText()).isEqualTo("until the end");
            // the client connection stays usable
            RawHttp.Response again = c.send("GET / HTTP/1.1\r\nHost: front.test\r\n\r\n").readResponse(false);
            assertThat(again.bodyText()).isEqualTo("until the end");
        }
    }
}
