package dev.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.PortMap;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the client gets back: status line, filtered headers, re-framed bodies, buffering modes. */
class ResponseRelayTest {
    private static String conf(String extra) {
        return "error_log logs/error.log info;\nevents {}\nhttp {\n proxy_temp_path resp_tmp;\n"
            + " upstream backend { server 127.0.0.1:17081; }\n"
            + " server { listen 127.0.0.1:8080; location / { proxy_pass http://backend; " + extra + " } }\n}\n";
    }

    @Test
    void backendServerDateAndAccelFieldsAreReplacedOrHidden() throws Exception {
        PortMap ports = new PortMap();
        try (Backend b = Backend.on(ports, 17081, ex -> ex.send(200, "x", "Server: backend/1.0", "Date: Mon, 01 Jan 2001 00:00:00 GMT",
                "X-Pad: avoid browser bug", "X-Accel-Expires: 10", "X-Accel-Charset: utf-8", "X-Powered-By: php", "X-Other: 1",
                "Connection: keep-alive", "Keep-Alive: timeout=5"));
             TestPortico p = TestPortico.builder().ports(ports).conf(conf("")).start(); RawHttp c = new RawHttp(p.port(8080))) {
            RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false);
            assertThat(r.header("Server")).startsWith("portico");
            assertThat(r.header("Date")).doesNotContain("2001");
            assertThat(r.header("X-Pad")).isNull();
            assertThat(r.header("X-Accel-Expires")).isNull();
            assertThat(r.header("X-Accel-Charset")).isNull();
            assertThat(r.header("Keep-Alive")).isNull();
            assertThat(r.header("X-Powered-By")).isEqualTo("php");
            assertThat(r.header("X-Other")).isEqualTo("1");
            assertThat(r.headers().stream().filter(h -> h[0].equalsIgnoreCase("Server")).count()).isEqualTo(1);
        }
    }

    @Test
    void hideHeaderAndPassHeaderAdjustTheHiddenSet() throws Exception {
        PortMap ports = new PortMap();
        try (Backend b = Backend.on(ports, 17081, ex -> ex.send(200, "x", "Server: backend/1.0", "X-Powered-By: php"));
             TestPortico p = TestPortico.builder().ports(ports)
                 .conf(conf("proxy_hide_header X-Powered-By; proxy_pass_header Server;")).start();
             RawHttp c = new RawHttp(p.port(8080))) {
            RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false);
            assertThat(r.header("X-Powered-By")).isNull();
            assertThat(r.header("Server")).isEqualTo("backend/1.0");
            assertThat(r.headers().stream().filter(h -> h[0].equalsIgnoreCase("Server")).count()).isEqualTo(1);
        }
    }

    @Test
    void theReasonPhraseAndHeaderCaseOfTheBackendAreKept() throws Exception {
        PortMap ports = new PortMap();
        try (Backend b = Backend.on(ports, 17081, ex -> ex.raw("HTTP/1.1 299 Quite Fine\r\nx-lower: v\r\nContent-Length: 0\r\n\r\n"));
             TestPortico p = TestPortico.builder().ports(ports).conf(conf("")).start(); RawHttp c = new RawHttp(p.port(8080))) {
            RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false);
            assertThat(r.statusLine()).isEqualTo("HTTP/1.1 299 Quite Fine");
            assertThat(r.headers().stream().anyMatch(h -> h[0].equals("x-lower"))).isTrue();
        }
    }

    @Test
    void interimResponsesFromTheBackendAreNotPassedOn() throws Exception {
        PortMap ports = new PortMap();
        try (Backend b = Backend.on(ports, 17081, ex -> ex.raw("HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
             TestPortico p = TestPortico.builder().ports(ports).conf(conf("")).start(); RawHttp c = new RawHttp(p.port(8080))) {
            RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo("ok");
        }
    }

    @Test
    void chunkedAndLengthBodiesKeepTheirFramingAndHttp10ClientsGetACloseDelimitedBody() throws Exception {
        PortMap ports = new PortMap();
        try (Backend b = Backend.on(ports, 17081, ex -> {
                if (ex.request.target().equals("/chunked")) {
                    ex.raw("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n");
                } else {
                    ex.send(200, "abcdef");
                }
            });
             TestPortico p = TestPortico.builder().ports(ports).conf(conf("")).start(); RawHttp c = new RawHttp(p.port(8080))) {
            RawHttp.Response chunked = c.send("GET /chunked HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false);
            assertThat(chunked.header("Transfer-Encoding")).isEqualTo("chunked");
            assertThat(chunked.bodyText()).isEqualTo("abcdef");
            RawHttp.Response length = c.send("GET /length HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false);
            assertThat(length.header("Content-Length")).isEqualTo("6");
            assertThat(length.bodyText()).isEqualTo("abcdef");
            try (RawHttp old = new RawHttp(p.port(8080))) {
                String all = old.send("GET /chunked HTTP/1.0\r\nHost: a\r\n\r\n").readUntilClose(5000);
                // nginx writes an HTTP/1.1 status line whatever the request's version (ngx_http_header_filter)
                assertThat(all).startsWith("HTTP/1.1 200 OK").doesNotContainIgnoringCase("transfer-encoding").endsWith("\r\n\r\nabcdef");
            }
        }
    }

    @Test
    void headAndNotModifiedCarryNoBody() throws Exception {
        PortMap ports = new PortMap();
        try (Backend b = Backend.on(ports, 17081, ex -> {
                if (ex.request.target().equals("/304")) {
                    ex.raw("HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n");
                } else {
                    ex.send(200, "0123456789");
                }
            });
             TestPortico p = TestPortico.builder().ports(ports).conf(conf("")).start(); RawHttp c = new RawHttp(p.port(8080))) {
            RawHttp.Response head = c.send("HEAD /x HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(true);
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("Content-Length")).isEqualTo("10");
            RawHttp.Response nm = c.send("GET /304 HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false);
            assertThat(nm.status()).isEqualTo(304);
            assertThat(nm.header("ETag")).isEqualTo("\"x\"");
            RawHttp.Response after = c.send("GET /x HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false);
            assertThat(after.bodyText()).isEqualTo("0123456789");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"proxy_buffering off;", "X-Accel-Buffering: no"})
    void unbufferedEventsReachTheClientBeforeTheBackendFinishes(String how) throws Exception {
        PortMap ports = new PortMap();
        CountDownLatch eventSeen = new CountDownLatch(1);
        boolean header = how.startsWith("X-");
        try (Backend b = Backend.on(ports, 17081, ex -> {
                ex.raw("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n"
                    + (header ? how + "\r\n" : "") + "\r\n");
                ex.raw("d\r\ndata: first\n\n\r\n");
                // the backend goes on only once the client saw the first event
                if (!eventSeen.await(10, TimeUnit.SECONDS)) {
                    return;
                }
                ex.raw("e\r\ndata: second\n\n\r\n0\r\n\r\n");
            });
             TestPortico p = TestPortico.builder().ports(ports).conf(conf(header ? "" : how)).start();
             RawHttp c = new RawHttp(p.port(8080))) {
            c.send("GET /events HTTP/1.1\r\nHost: a\r\n\r\n");
            InputStream in = c.socket().getInputStream();
            StringBuilder seen = new StringBuilder();
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!seen.toString().contains("data: first") && System.nanoTime() < deadline) {
                int ch = in.read();
                if (ch < 0) {
                    break;
                }
                seen.append((char) ch);
            }
            assertThat(seen.toString()).contains("data: first").doesNotContain("X-Accel-Buffering");
            eventSeen.countDown();
            String rest = "";
            while (!rest.contains("0\r\n\r\n") && System.nanoTime() < deadline + 5_000_000_000L) {
                int ch = in.read();
                if (ch < 0) {
                    break;
                }
                rest += (char) ch;
            }
            assertThat(rest).contains("data: second").endsWith("0\r\n\r\n");
        }
    }

    @Test
    void aSlowClientMakesTheResponseGoToATemporaryFileAndTheBackendIsFreedEarly() throws Exception {
        PortMap ports = new PortMap();
        byte[] body = new byte[24 * 1024 * 1024];
        new Random(1).nextBytes(body);
        CountDownLatch backendDone = new CountDownLatch(1);
        try (Backend b = Backend.on(ports, 17081, ex -> {
                ex.raw("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\n\r\n");
                ex.raw(body);
                backendDone.countDown();
            });
             TestPortico p = TestPortico.builder().ports(ports).conf(conf("")).start();
             java.net.Socket s = new java.net.Socket()) {
            s.setReceiveBufferSize(16 * 1024);
            s.connect(new java.net.InetSocketAddress("127.0.0.1", p.port(8080)));
            s.getOutputStream().write("GET /big HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            // the client reads nothing yet: the backend still finishes, the rest waits in a file
            assertThat(backendDone.await(20, TimeUnit.SECONDS)).isTrue();
            // the file is announced once the I/O thread has created it
            dev.portico.testing.Await.until(java.time.Duration.ofSeconds(10), "the temporary file in the error log",
                () -> p.errorLog().contains("an upstream response is buffered to a temporary file " + p.prefix().resolve("resp_tmp")));
            InputStream in = s.getInputStream();
            String head = Backend.readHead(in);
            assertThat(head).startsWith("HTTP/1.1 200 OK");
            byte[] got = in.readNBytes(body.length);
            assertThat(Arrays.equals(got, body)).isTrue();
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (countFiles(p.prefix().resolve("resp_tmp")) > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(countFiles(p.prefix().resolve("resp_tmp"))).isZero();
        }
    }

    private static long countFiles(java.nio.file.Path dir) throws java.io.IOException {
        if (!Files.exists(dir)) {
            return 0;
        }
        try (var s = Files.list(dir)) {
            return s.count();
        }
    }
}
