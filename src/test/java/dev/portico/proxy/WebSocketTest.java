package dev.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portico.testing.PortMap;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import io.netty.handler.codec.http.FullHttpRequest;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Websockets through proxy_pass: the 101 handshake, then a byte tunnel both ways (JDK client, Netty backend). */
class WebSocketTest {
    static final String CONF = """
        events {}
        http {
            map $http_upgrade $connection_upgrade { default upgrade; '' close; }
            server {
                listen 127.0.0.1:8080;
                location / {
                    proxy_pass http://127.0.0.1:17082;
                    proxy_http_version 1.1;
                    proxy_set_header Upgrade $http_upgrade;
                    proxy_set_header Connection $connection_upgrade;
                    proxy_read_timeout READ;
                }
            }
        }
        """;

    private final PortMap ports = new PortMap();
    private WsEchoServer backend;
    private TestPortico portico;

    private TestPortico start(String readTimeout) throws Exception {
        backend = new WsEchoServer(ports.get(17082), "one");
        portico = TestPortico.builder().ports(ports).conf(CONF.replace("READ", readTimeout)).start();
        return portico;
    }

    @AfterEach
    void stop() {
        if (portico != null) {
            portico.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    /** A JDK websocket client that collects whole messages and the close. */
    static final class Client implements WebSocket.Listener {
        final BlockingQueue<Object> messages = new LinkedBlockingQueue<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        final CompletableFuture<ByteBuffer> pong = new CompletableFuture<>();
        private final StringBuilder text = new StringBuilder();
        private final ByteArrayOutputStream binary = new ByteArrayOutputStream();
        WebSocket ws;

        static Client open(URI uri, String... subprotocols) throws Exception {
            Client c = new Client();
            WebSocket.Builder b = HttpClient.newHttpClient().newWebSocketBuilder();
            if (subprotocols.length > 0) {
                b.subprotocols(subprotocols[0], Arrays.copyOfRange(subprotocols, 1, subprotocols.length));
            }
            c.ws = b.buildAsync(uri, c).get(10, TimeUnit.SECONDS);
            return c;
        }

        Object next() throws InterruptedException {
            Object o = messages.poll(20, TimeUnit.SECONDS);
            assertThat(o).as("a message within 20 s").isNotNull();
            return o;
        }

        @Override
        public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                messages.add(text.toString());
                text.setLength(0);
            }
            w.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket w, ByteBuffer data, boolean last) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            binary.writeBytes(b);
            if (last) {
                messages.add(binary.toByteArray());
                binary.reset();
            }
            w.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPong(WebSocket w, ByteBuffer message) {
            pong.complete(message);
            w.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket w, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket w, Throwable error) {
            closed.complete(-1);
        }
    }

    private URI ws(String path) {
        return URI.create("ws://127.0.0.1:" + portico.port(8080) + path);
    }

    @Test
    void theHandshakeReachesTheBackendWithItsWebSocketFieldsAndTheSubprotocolComesBack() throws Exception {
        start("60s");
        Client c = Client.open(ws("/hub/chat"), "chat");
        assertThat(c.ws.getSubprotocol()).isEqualTo("chat");
        FullHttpRequest h = backend.handshakes.poll(5, TimeUnit.SECONDS);
        try {
            assertThat(h.headers().get("Upgrade")).isEqualToIgnoringCase("websocket");
            assertThat(h.headers().get("Connection")).isEqualTo("upgrade");
            assertThat(h.headers().get("Sec-WebSocket-Key")).isNotEmpty();
            assertThat(h.headers().get("Sec-WebSocket-Version")).isEqualTo("13");
            assertThat(h.headers().get("Sec-WebSocket-Protocol")).isEqualTo("chat");
        } finally {
            h.release();
        }
        c.ws.sendText("hello", true).get(5, TimeUnit.SECONDS);
        assertThat(c.next()).isEqualTo("hello");
        c.ws.sendClose(1000, "done").get(5, TimeUnit.SECONDS);
        assertThat(c.closed.get(10, TimeUnit.SECONDS)).isEqualTo(1000);
    }

    @Test
    void textBinaryFragmentedAndLargeMessagesComeBackByteForByte() throws Exception {
        start("60s");
        Client c = Client.open(ws("/hub"));
        c.ws.sendText("héllo wörld", true).get(5, TimeUnit.SECONDS);
        assertThat(c.next()).isEqualTo("héllo wörld");
        c.ws.sendBinary(ByteBuffer.wrap(new byte[] {0, 1, 2, (byte) 255}), true).get(5, TimeUnit.SECONDS);
        assertThat((byte[]) c.next()).containsExactly(0, 1, 2, 255);
        c.ws.sendText("frag", false).get(5, TimeUnit.SECONDS);
        c.ws.sendText("ment", false).get(5, TimeUnit.SECONDS);
        c.ws.sendText("ed", true).get(5, TimeUnit.SECONDS);
        assertThat(c.next()).isEqualTo("fragmented");
        byte[] big = new byte[16 * 1024 * 1024];
        new java.util.Random(5).nextBytes(big);
        c.ws.sendBinary(ByteBuffer.wrap(big), true).get(30, TimeUnit.SECONDS);
        assertThat(Arrays.equals((byte[]) c.next(), big)).as("16 MiB echoed unchanged").isTrue();
        c.ws.sendPing(ByteBuffer.wrap(new byte[] {7, 7})).get(5, TimeUnit.SECONDS);
        assertThat(c.pong.get(10, TimeUnit.SECONDS).remaining()).isEqualTo(2);
    }

    @Test
    void aCloseCodeFromTheBackendReachesTheClient() throws Exception {
        start("60s");
        Client c = Client.open(ws("/hub"));
        c.ws.sendText("close:4001", true).get(5, TimeUnit.SECONDS);
        assertThat(c.closed.get(10, TimeUnit.SECONDS)).isEqualTo(4001);
    }

    @Test
    void aBackendThatDropsTheConnectionClosesTheClientsToo() throws Exception {
        start("60s");
        Client c = Client.open(ws("/hub"));
        c.ws.sendText("drop", true).get(5, TimeUnit.SECONDS);
        assertThat(c.closed.get(10, TimeUnit.SECONDS)).isIn(-1, 1000, 1006);
    }

    @Test
    void aBackendsEndOfStreamReachesTheClient() throws Exception {
        Backend raw = Backend.streaming(ports, 17082, ex -> {
            ex.raw(SWITCH);
            Thread.sleep(300);
            ex.raw("last words");
            ex.close();
        });
        try (TestPortico p = TestPortico.builder().ports(ports).conf(CONF.replace("READ", "60s")).start();
             java.net.Socket s = new java.net.Socket("127.0.0.1", p.port(8080))) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(UPGRADE_REQUEST.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            readHead(s.getInputStream());
            assertThat(new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("last words");
        } finally {
            raw.close();
        }
    }

    @Test
    void aRefusedUpgradeIsAnOrdinaryResponse() throws Exception {
        start("60s");
        assertThatThrownBy(() -> Client.open(ws("/elsewhere")))
            .isInstanceOf(ExecutionException.class)
            .cause().isInstanceOf(WebSocketHandshakeException.class)
            .satisfies(e -> assertThat(((WebSocketHandshakeException) e).getResponse().statusCode()).isEqualTo(403));
        // the connection still speaks HTTP afterwards
        try (RawHttp raw = new RawHttp(portico.port(8080))) {
            RawHttp.Response r = raw.send("GET /elsewhere HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").readResponse(false);
            assertThat(r.status()).isEqualTo(403);
            assertThat(r.bodyText()).isEqualTo("no websocket here");
            assertThat(raw.send("GET /elsewhere HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false).status()).isEqualTo(403);
        }
    }

    @Test
    void anIdleTunnelIsClosedAfterProxyReadTimeoutAndAnActiveOneIsKept() throws Exception {
        start("1s");
        Client c = Client.open(ws("/hub"));
        long t0 = System.nanoTime();
        for (int i = 0; i < 4; i++) {
            // traffic every 400 ms keeps the tunnel past the timeout
            Thread.sleep(400);
            c.ws.sendText("tick" + i, true).get(5, TimeUnit.SECONDS);
            assertThat(c.next()).isEqualTo("tick" + i);
        }
        assertThat(c.closed).isNotDone();
        int code = c.closed.get(10, TimeUnit.SECONDS);
        assertThat(code).isIn(-1, 1006);
        assertThat(portico.errorLog()).contains("upstream timed out (110: Connection timed out) while proxying upgraded connection");
        assertThat(System.nanoTime() - t0).isGreaterThan(TimeUnit.MILLISECONDS.toNanos(2500));
    }

    @Test
    void anH2cUpgradeFromTheClientIsNotPassedToTheBackend() throws Exception {
        Backend plain = Backend.on(ports, 17082, ex -> ex.send(200, "plain"));
        try (TestPortico p = TestPortico.builder().ports(ports).conf(CONF.replace("READ", "60s")).start();
             RawHttp raw = new RawHttp(p.port(8080))) {
            RawHttp.Response r = raw.send("GET / HTTP/1.1\r\nHost: a\r\nUpgrade: h2c\r\nConnection: Upgrade, HTTP2-Settings\r\n"
                + "HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n").readResponse(false);
            assertThat(r.status()).isEqualTo(200);
            Backend.Request got = plain.take();
            assertThat(got.header("Upgrade")).isNull();
            assertThat(got.header("Connection")).isEqualTo("close");
        } finally {
            plain.close();
        }
    }

    private static final String UPGRADE_REQUEST = "GET /raw HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n";
    private static final String SWITCH = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n";

    private static String readHead(java.io.InputStream in) throws java.io.IOException {
        StringBuilder b = new StringBuilder();
        while (!b.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new java.io.EOFException(b.toString());
            }
            b.append((char) c);
        }
        return b.toString();
    }

    @Test
    void aHalfCloseFromTheClientReachesTheBackendWhichCanStillAnswer() throws Exception {
        Backend raw = Backend.streaming(ports, 17082, ex -> {
            ex.raw(SWITCH);
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            ex.in.transferTo(got);
            // the client's end of input arrived: answer after it, then close
            ex.raw(("got " + got.toString(java.nio.charset.StandardCharsets.UTF_8) + ", bye").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            ex.close();
        });
        try (TestPortico p = TestPortico.builder().ports(ports).conf(CONF.replace("READ", "60s")).start();
             java.net.Socket s = new java.net.Socket("127.0.0.1", p.port(8080))) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(UPGRADE_REQUEST.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            String head = readHead(s.getInputStream());
            assertThat(head).startsWith("HTTP/1.1 101 Switching Protocols\r\n").containsIgnoringCase("Connection: upgrade");
            s.getOutputStream().write("abc".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            s.shutdownOutput();
            assertThat(new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("got abc, bye");
        } finally {
            raw.close();
        }
    }

    @Test
    void aClientThatStopsReadingStopsTheBackendsWrites() throws Exception {
        long total = 128L * 1024 * 1024;
        java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();
        Backend flood = Backend.streaming(ports, 17082, ex -> {
            ex.raw(SWITCH);
            byte[] chunk = new byte[1024 * 1024];
            for (long n = 0; n < total; n += chunk.length) {
                ex.out.write(chunk);
                written.addAndGet(chunk.length);
            }
            ex.out.flush();
            ex.close();
        });
        try (TestPortico p = TestPortico.builder().ports(ports).conf(CONF.replace("READ", "60s")).start();
             java.net.Socket s = new java.net.Socket("127.0.0.1", p.port(8080))) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write(UPGRADE_REQUEST.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            readHead(s.getInputStream());
            // wait until the backend's writes stall (no progress for a second)
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            long last = -1;
            long stableSince = System.nanoTime();
            while (System.nanoTime() < deadline) {
                long now = written.get();
                if (now != last) {
                    last = now;
                    stableSince = System.nanoTime();
                } else if (System.nanoTime() - stableSince > TimeUnit.MILLISECONDS.toNanos(1000)) {
                    break;
                }
                Thread.sleep(100);
            }
            // only socket buffers hold the difference: Portico does not queue what the client does not take
            assertThat(written.get()).as("bytes the backend could write while the client read nothing").isLessThan(48L * 1024 * 1024);
            long read = 0;
            byte[] buf = new byte[1 << 16];
            java.io.InputStream in = s.getInputStream();
            int n;
            while ((n = in.read(buf)) > 0) {
                read += n;
            }
            assertThat(read).isEqualTo(total);
        } finally {
            flood.close();
        }
    }
}
