package dev.portico.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Keep-alive, pipelining and the connection timeouts, seen from a raw socket. */
class KeepAliveTest {
    private static final int BIG = 2_000_000;
    private static TestPortico portico;

    @BeforeAll
    static void start() {
        portico = TestPortico.start("""
            error_log logs/error.log info;
            events {}
            http {
                server {
                    listen 127.0.0.1:8080;
                    location / { return 200 "$request_method $uri\\n"; }
                    location /short/ { keepalive_timeout 0; return 200 "short\\n"; }
                }
                server { listen 127.0.0.1:8081; keepalive_requests 2; return 200 "$uri\\n"; }
                server { listen 127.0.0.1:8082; keepalive_timeout 1s; return 200 "$uri\\n"; }
                server { listen 127.0.0.1:8083; keepalive_timeout 0; return 200 "$uri\\n"; }
                server { listen 127.0.0.1:8084; keepalive_timeout 30s 7; return 200 "$uri\\n"; }
                server { listen 127.0.0.1:8085; keepalive_time 1s; return 200 "$uri\\n"; }
                server { listen 127.0.0.1:8086; client_header_timeout 1s; return 200 "$uri\\n"; }
                server { listen 127.0.0.1:8087 sndbuf=4k; send_timeout 1s; return 200 "BIG"; }
            }
            """.replace("BIG", "x".repeat(BIG)));
    }

    @AfterAll
    static void stop() {
        portico.close();
    }

    private static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: a\r\n\r\n";
    }

    @Test
    void pipelinedRequestsInOnePacketAreAnsweredInOrder() {
        try (RawHttp c = new RawHttp(portico.port(8080))) {
            c.send(get("/1") + "POST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc" + "HEAD /3 HTTP/1.1\r\nHost: a\r\n\r\n"
                + "POST /4 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n" + get("/5"));
            assertThat(c.readResponse(false).bodyText()).isEqualTo("GET /1\n");
            assertThat(c.readResponse(false).bodyText()).isEqualTo("POST /2\n");
            RawHttp.Response head = c.readResponse(true);
            assertThat(head.header("Content-Length")).isEqualTo("8");
            assertThat(c.readResponse(false).bodyText()).isEqualTo("POST /4\n");
            RawHttp.Response last = c.readResponse(false);
            assertThat(last.bodyText()).isEqualTo("GET /5\n");
            assertThat(last.header("Connection")).isEqualTo("keep-alive");
        }
    }

    @Test
    void aRequestSplitAcrossPacketsIsAnswered() {
        try (RawHttp c = new RawHttp(portico.port(8080))) {
            c.send("GET /sp");
            c.send("lit HTTP/1.1\r\nHo");
            c.send("st: a\r\n\r\n");
            assertThat(c.readResponse(false).bodyText()).isEqualTo("GET /split\n");
        }
    }

    @Test
    void keepaliveRequestsClosesAfterTheLastAllowedRequest() {
        try (RawHttp c = new RawHttp(portico.port(8081))) {
            RawHttp.Response first = c.send(get("/1")).readResponse(false);
            assertThat(first.header("Connection")).isEqualTo("keep-alive");
            RawHttp.Response second = c.send(get("/2")).readResponse(false);
            assertThat(second.header("Connection")).isEqualTo("close");
            assertThat(c.closedByServer(3000)).isTrue();
        }
    }

    @Test
    void pipelinedRequestsBeyondKeepaliveRequestsAreNotAnswered() {
        try (RawHttp c = new RawHttp(portico.port(8081))) {
            c.send(get("/1") + get("/2") + get("/3"));
            c.readResponse(false);
            assertThat(c.readResponse(false).header("Connection")).isEqualTo("close");
            assertThat(c.readUntilClose(3000)).isEmpty();
        }
    }

    @Test
    void keepaliveTimeoutClosesAnIdleConnection() {
        try (RawHttp c = new RawHttp(portico.port(8082))) {
            c.send(get("/1")).readResponse(false);
            long t0 = System.nanoTime();
            assertThat(c.closedByServer(5000)).isTrue();
            assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(800L, 4000L);
        }
    }

    static Stream<Arguments> connectionHeaders() {
        return Stream.of(
            Arguments.of("HTTP/1.1", 8080, "GET /k HTTP/1.1\r\nHost: a\r\n\r\n", "keep-alive", null),
            Arguments.of("HTTP/1.1 with Connection: close", 8080, "GET /k HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", "close", null),
            Arguments.of("HTTP/1.0", 8080, "GET /k HTTP/1.0\r\n\r\n", "close", null),
            Arguments.of("HTTP/1.0 with keep-alive", 8080, "GET /k HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", "keep-alive", null),
            Arguments.of("keepalive_timeout 0", 8083, "GET /k HTTP/1.1\r\nHost: a\r\n\r\n", "close", null),
            Arguments.of("keepalive_timeout 0 in a location", 8080, "GET /short/ HTTP/1.1\r\nHost: a\r\n\r\n", "close", null),
            Arguments.of("keepalive_timeout with a header timeout", 8084, "GET /k HTTP/1.1\r\nHost: a\r\n\r\n", "keep-alive", "timeout=7"),
            Arguments.of("Expect: 100-continue with a body nobody reads", 8080,
                "POST /k HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n", "close", null));
    }

    @ParameterizedTest(name = "{0}: Connection: {3}")
    @MethodSource("connectionHeaders")
    void connectionHeaderSaysWhetherTheConnectionStays(String name, int port, String raw, String connection, String keepAlive) {
        try (RawHttp c = new RawHttp(portico.port(port))) {
            RawHttp.Response r = c.send(raw).readResponse(false);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.statusLine()).startsWith("HTTP/1.1 ");
            assertThat(r.header("Connection")).isEqualTo(connection);
            assertThat(r.header("Keep-Alive")).isEqualTo(keepAlive);
            if (connection.equals("close")) {
                assertThat(c.closedByServer(3000)).isTrue();
            } else {
                String again = raw.contains("HTTP/1.0") ? raw : get("/again");
                assertThat(c.send(again).readResponse(false).status()).isEqualTo(200);
            }
        }
    }

    @Test
    void keepaliveTimeEndsKeepAliveOnceTheConnectionIsOlder() throws InterruptedException {
        try (RawHttp c = new RawHttp(portico.port(8085))) {
            assertThat(c.send(get("/1")).readResponse(false).header("Connection")).isEqualTo("keep-alive");
            Thread.sleep(1200); // the limit is the connection's age: time has to pass
            assertThat(c.send(get("/2")).readResponse(false).header("Connection")).isEqualTo("close");
            assertThat(c.closedByServer(3000)).isTrue();
        }
    }

    @Test
    void aPartialHeadGets408AfterClientHeaderTimeout() {
        try (RawHttp c = new RawHttp(portico.port(8086))) {
            long t0 = System.nanoTime();
            RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: a\r\n").readResponse(false);
            assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThanOrEqualTo(800L);
            assertThat(r.statusLine()).isEqualTo("HTTP/1.1 408 Request Time-out");
            assertThat(r.header("Connection")).isEqualTo("close");
            assertThat(r.bodyText()).contains("<center><h1>408 Request Time-out</h1></center>");
            assertThat(c.closedByServer(3000)).isTrue();
        }
        assertThat(portico.errorLog()).contains("client timed out (110: Connection timed out) while reading client request headers");
    }

    @Test
    void aHeadSentByteByByteDoesNotExtendClientHeaderTimeout() throws InterruptedException {
        try (RawHttp c = new RawHttp(portico.port(8086))) {
            long t0 = System.nanoTime();
            String head = "GET / HTTP/1.1\r\nHost: a\r\nX-Slow: ";
            c.send(head);
            // keep trickling bytes: the deadline counts from the first byte, not the last
            for (int i = 0; i < 6; i++) {
                Thread.sleep(250);
                try {
                    c.send("x");
                } catch (java.io.UncheckedIOException closed) {
                    break;
                }
            }
            String answer = c.readUntilClose(3000);
            assertThat(answer).startsWith("HTTP/1.1 408 ");
            assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(2500L);
        }
    }

    @Test
    void aSilentConnectionIsClosedWithoutAnswer() {
        try (RawHttp c = new RawHttp(portico.port(8086))) {
            long t0 = System.nanoTime();
            assertThat(c.readUntilClose(5000)).isEmpty();
            assertThat(c.closedByServer(100)).isTrue();
            assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(800L, 4000L);
        }
    }

    @Test
    void anIdleKeepAliveConnectionThatStartsARequestGetsTheHeaderTimeout() {
        try (RawHttp c = new RawHttp(portico.port(8086))) {
            c.send(get("/1")).readResponse(false);
            RawHttp.Response r = c.send("GET /2 HTTP/1.1\r\n").readResponse(false);
            assertThat(r.status()).isEqualTo(408);
        }
    }

    @Test
    void sendTimeoutClosesAConnectionWhoseClientStopsReading() throws Exception {
        try (java.net.Socket s = new java.net.Socket()) {
            s.setReceiveBufferSize(4096);
            s.connect(new java.net.InetSocketAddress("127.0.0.1", portico.port(8087)), 5000);
            s.getOutputStream().write(get("/").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            // the client reads nothing; once the server's output has stalled for send_timeout it gives up
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!portico.errorLog().contains("while sending response to client") && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(portico.errorLog()).contains("client timed out (110: Connection timed out) while sending response to client");
            s.setSoTimeout(5000);
            long total = 0;
            try {
                byte[] buf = new byte[65536];
                int n;
                while ((n = s.getInputStream().read(buf)) >= 0) {
                    total += n;
                }
            } catch (java.net.SocketException reset) {
                // a reset ends the response too
            }
            assertThat(total).isLessThan(BIG);
        }
    }
}
