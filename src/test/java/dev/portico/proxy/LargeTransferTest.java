package dev.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.PortMap;
import dev.portico.testing.TestPortico;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Big bodies both ways with flat memory: 1 GiB passes with a 1 GiB test heap and little direct
 * memory, and a party that stops reading stops the other side instead of filling the heap.
 */
class LargeTransferTest {
    private static final long GIB = 1024L * 1024 * 1024;
    private static final byte[] CHUNK = new byte[256 * 1024];

    private static String conf(String extra) {
        return "error_log logs/error.log info;\nevents {}\nhttp {\n upstream backend { server 127.0.0.1:17081; }\n"
            + " server { listen 127.0.0.1:8080; client_max_body_size 0;\n location / { proxy_pass http://backend; "
            + extra + " } }\n}\n";
    }

    /** Samples the pooled allocator's direct memory while a transfer runs. */
    private static final class MemoryWatch extends Thread {
        volatile long peak;
        volatile boolean stop;

        MemoryWatch() {
            setDaemon(true);
        }

        @Override
        public void run() {
            while (!stop) {
                peak = Math.max(peak, PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory());
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private static void awaitPlateau(AtomicLong counter) throws InterruptedException {
        long last = -1;
        int still = 0;
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (still < 10 && System.nanoTime() < deadline) {
            Thread.sleep(50);
            long now = counter.get();
            still = now == last ? still + 1 : 0;
            last = now;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"proxy_buffering off;", "proxy_max_temp_file_size 0;"})
    void aGibibyteDownloadStreamsAndAStalledClientStallsTheBackend(String mode) throws Exception {
        PortMap ports = new PortMap();
        AtomicLong written = new AtomicLong();
        try (Backend b = Backend.on(ports, 17081, ex -> {
                ex.raw("HTTP/1.1 200 OK\r\nContent-Length: " + GIB + "\r\n\r\n");
                for (long sent = 0; sent < GIB; sent += CHUNK.length) {
                    ex.out.write(CHUNK);
                    written.addAndGet(CHUNK.length);
                }
                ex.out.flush();
            });
             TestPortico p = TestPortico.builder().ports(ports).conf(conf(mode)).start();
             Socket s = new Socket()) {
            s.setReceiveBufferSize(64 * 1024);
            s.setSoTimeout(30_000);
            s.connect(new InetSocketAddress("127.0.0.1", p.port(8080)));
            s.getOutputStream().write("GET /big HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            String head = Backend.readHead(in);
            assertThat(head).startsWith("HTTP/1.1 200 OK").contains("Content-Length: " + GIB);
            // the client stops reading: the backend must stop too, far short of the whole body
            awaitPlateau(written);
            assertThat(written.get()).isLessThan(64L * 1024 * 1024);
            MemoryWatch watch = new MemoryWatch();
            watch.start();
            byte[] buf = new byte[1 << 20];
            long got = 0;
            int n;
            try {
                while (got < GIB && (n = in.read(buf)) > 0) {
                    got += n;
                }
            } catch (java.net.SocketTimeoutException e) {
                throw new AssertionError("stalled at " + got + " of " + GIB + "; log: " + p.errorLog(), e);
            }
            watch.stop = true;
            assertThat(got).as(p.errorLog()).isEqualTo(GIB);
            assertThat(watch.peak).isLessThan(128L * 1024 * 1024);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"proxy_request_buffering off;"})
    void aGibibyteUploadStreamsAndAStalledBackendStallsTheClient(String mode) throws Exception {
        PortMap ports = new PortMap();
        AtomicLong received = new AtomicLong();
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        try (Backend b = Backend.streaming(ports, 17081, ex -> {
                go.await();
                byte[] buf = new byte[1 << 20];
                long left = Long.parseLong(ex.request.header("Content-Length"));
                while (left > 0) {
                    int n = ex.in.read(buf, 0, (int) Math.min(buf.length, left));
                    if (n < 0) {
                        break;
                    }
                    left -= n;
                    received.addAndGet(n);
                }
                ex.send(200, "got " + received.get());
            });
             TestPortico p = TestPortico.builder().ports(ports).conf(conf(mode)).start();
             Socket s = new Socket()) {
            s.setSendBufferSize(64 * 1024);
            s.connect(new InetSocketAddress("127.0.0.1", p.port(8080)));
            OutputStream out = s.getOutputStream();
            AtomicLong sent = new AtomicLong();
            Thread writer = new Thread(() -> {
                try {
                    out.write(("POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: " + GIB + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    for (long done = 0; done < GIB; done += CHUNK.length) {
                        out.write(CHUNK);
                        sent.addAndGet(CHUNK.length);
                    }
                    out.flush();
                } catch (java.io.IOException e) {
                    // the test fails on the counts below
                }
            });
            writer.setDaemon(true);
            writer.start();
            // the backend does not read yet: the client must be held back
            awaitPlateau(sent);
            assertThat(sent.get()).isLessThan(64L * 1024 * 1024);
            MemoryWatch watch = new MemoryWatch();
            watch.start();
            go.countDown();
            writer.join(120_000);
            String head = Backend.readHead(s.getInputStream());
            watch.stop = true;
            assertThat(head).startsWith("HTTP/1.1 200 OK");
            assertThat(received.get()).isEqualTo(GIB);
            assertThat(watch.peak).isLessThan(128L * 1024 * 1024);
        }
    }
}
