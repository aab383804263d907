package dev.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.PortMap;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A client that leaves takes the backend connection with it, unless proxy_ignore_client_abort is on. */
class ClientAbortTest {
    private static final CountDownLatch ENDED = new CountDownLatch(1);

    private static final dev.portico.testing.ProbeModule ENDS = dev.portico.testing.ProbeModule.onEnd(ex -> {
        if (ex.requestHeaders().contains("X-Abort-Test")) {
            ENDED.countDown();
        }
    });

    private static String conf(String extra) {
        return "error_log logs/error.log info;\nevents {}\nhttp {\n upstream backend { server 127.0.0.1:17081; }\n"
            + " server { listen 127.0.0.1:8080; location / { proxy_pass http://backend; " + extra + " } }\n}\n";
    }

    private static void awaitTrue(java.util.function.BooleanSupplier cond) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!cond.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition in time").isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    @Test
    void theBackendConnectionIsClosedWhenTheClientLeavesBeforeTheAnswer() throws Exception {
        PortMap ports = new PortMap();
        CountDownLatch requested = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (Backend b = Backend.on(ports, 17081, ex -> {
                requested.countDown();
                release.await(10, TimeUnit.SECONDS);
                ex.send(200, "late");
            });
             TestPortico p = TestPortico.builder().ports(ports).modules(ENDS).conf(conf("")).start()) {
            try (RawHttp c = new RawHttp(p.port(8080))) {
                c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
                assertThat(requested.await(10, TimeUnit.SECONDS)).isTrue();
            }
            awaitTrue(() -> p.errorLog().contains("client prematurely closed connection, so upstream connection is closed too "
                + "while reading response header from upstream"));
            release.countDown();
            awaitTrue(() -> b.closedConnections.get() == 1);
        }
    }

    @Test
    void withIgnoreClientAbortTheResponseIsReadAndTheConnectionKept() throws Exception {
        PortMap ports = new PortMap();
        CountDownLatch requested = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch firstDone = new CountDownLatch(1);
        AtomicInteger n = new AtomicInteger();
        try (Backend b = Backend.on(ports, 17081, ex -> {
                if (n.incrementAndGet() == 1) {
                    ex.raw("HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nfirst");
                    requested.countDown();
                    release.await(10, TimeUnit.SECONDS);
                    ex.raw("abc");
                    firstDone.countDown();
                } else {
                    ex.send(200, "second");
                }
            });
             TestPortico p = TestPortico.builder().ports(ports).modules(ENDS).conf(conf("proxy_ignore_client_abort on; proxy_buffering off;"))
                 .start()) {
            try (RawHttp c = new RawHttp(p.port(8080))) {
                c.send("GET / HTTP/1.1\r\nHost: a\r\nX-Abort-Test: 1\r\n\r\n");
                assertThat(requested.await(10, TimeUnit.SECONDS)).isTrue();
                c.socket().getInputStream().read(new byte[10]);
            }
            // Portico saw the client leave (the exchange ended) before the backend finishes
            assertThat(ENDED.await(10, TimeUnit.SECONDS)).isTrue();
            release.countDown();
            assertThat(firstDone.await(10, TimeUnit.SECONDS)).isTrue();
            // Portico reads the last bytes and pools the connection on its event loop; nothing a
            // client can observe says when that happened, so give it a moment (the pool is per
            // event loop and not reachable from here).
            Thread.sleep(200);
            try (RawHttp c = new RawHttp(p.port(8080))) {
                RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false);
                assertThat(r.bodyText()).isEqualTo("second");
            }
            assertThat(b.connections.get()).isEqualTo(1);
        }
    }

    @Test
    void aClientThatStopsReadingIsDisconnectedAfterSendTimeout() throws Exception {
        PortMap ports = new PortMap();
        byte[] chunk = new byte[64 * 1024];
        try (Backend b = Backend.on(ports, 17081, ex -> {
                ex.raw("HTTP/1.1 200 OK\r\nContent-Length: 1073741824\r\n\r\n");
                for (int i = 0; i < 16384; i++) {
                    ex.out.write(chunk);
                }
            });
             TestPortico p = TestPortico.builder().ports(ports).modules(ENDS).conf(conf("proxy_buffering off; send_timeout 500ms;")).start();
             java.net.Socket s = new java.net.Socket()) {
            s.setReceiveBufferSize(32 * 1024);
            s.connect(new java.net.InetSocketAddress("127.0.0.1", p.port(8080)));
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            awaitTrue(() -> p.errorLog().contains("client timed out (110: Connection timed out) while sending to client"));
            awaitTrue(() -> b.closedConnections.get() == 1);
        }
    }
}
