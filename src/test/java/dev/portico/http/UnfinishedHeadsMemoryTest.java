package dev.portico.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.Await;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * A flood of unfinished request heads: each connection holds at most what nginx would hold for
 * it (large_client_header_buffers, 4 × 8k by default), not a growing copy of everything received.
 */
class UnfinishedHeadsMemoryTest {
    private static final int CONNECTIONS = 1000;
    private static final int HEAD_BYTES = 31 * 1024;
    private static final long MB = 1024 * 1024;

    /** A request line and header lines of about 1 KB each, without the blank line that would end the head. */
    private static byte[] unfinishedHead() {
        StringBuilder b = new StringBuilder("GET / HTTP/1.1\r\nHost: x\r\n");
        for (int i = 0; b.length() < HEAD_BYTES - 1100; i++) {
            b.append("X-Filler-").append(i).append(": ").append("v".repeat(1000)).append("\r\n");
        }
        // the last line is unfinished too
        int rest = HEAD_BYTES - b.length() - "X-Last: ".length();
        b.append("X-Last: ").append("w".repeat(rest));
        byte[] out = b.toString().getBytes(StandardCharsets.ISO_8859_1);
        assertThat(out.length).isEqualTo(HEAD_BYTES);
        return out;
    }

    @Test
    void aThousandUnfinishedHeadsOf31KbHoldLittleMoreThanTheirBuffers() {
        try (TestPortico p = TestPortico.start("""
                worker_processes 2;
                events { worker_connections 4096; }
                http { server { listen 127.0.0.1:18080; return 200 "ok\\n"; } }
                """)) {
            int port = p.port(18080);
            byte[] head = unfinishedHead();
            long heapBefore = usedHeapAfterGc();
            long directBefore = usedDirect();
            List<RawHttp> clients = new ArrayList<>(CONNECTIONS);
            try {
                for (int i = 0; i < CONNECTIONS; i++) {
                    clients.add(new RawHttp(port).send(head));
                }
                Await.until(Duration.ofSeconds(60), "Portico to have read every byte sent",
                    () -> p.server().openConnections() == CONNECTIONS && unreadBytesAt(port) == 0);
                long heapGrowth = usedHeapAfterGc() - heapBefore;
                long directGrowth = usedDirect() - directBefore;
                System.out.printf(Locale.ROOT, "%d unfinished heads of %d bytes: heap +%.1f MB, pooled direct +%.1f MB%n",
                    CONNECTIONS, HEAD_BYTES, heapGrowth / (double) MB, directGrowth / (double) MB);
                // The heads are 31 MB; nginx holds them in up to 32 MB of header buffers. Portico keeps
                // each unfinished head as raw bytes in one pooled buffer (32 MB measured) and adds no
                // parsed copy on the heap (about 4 MB measured without the leak detector, 17 MB with it
                // at paranoid; parsing each line as it came cost 53 MB of heap here).
                assertThat(heapGrowth).isLessThan(32 * MB);
                assertThat(directGrowth).isLessThan(48 * MB);
                // and every connection is still served once its head is finished
                RawHttp last = clients.get(CONNECTIONS - 1);
                assertThat(last.send("\r\n\r\n").readResponse(false).status()).isEqualTo(200);
            } finally {
                clients.forEach(RawHttp::close);
            }
        }
    }

    private static long usedHeapAfterGc() {
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        // a few rounds: the smallest reading is the live set
        for (int i = 0; i < 3; i++) {
            System.gc();
            used = Math.min(used, mem.getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    private static long usedDirect() {
        return PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();
    }

    /**
     * Bytes the kernel holds unread for the server side of connections to {@code port}
     * (rx_queue in /proc/net/tcp): zero once Portico has read everything the clients sent.
     */
    private static long unreadBytesAt(int port) {
        try {
            String local = String.format(Locale.ROOT, ":%04X", port);
            long unread = 0;
            for (String line : Files.readAllLines(Path.of("/proc/net/tcp"))) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 4 && f[1].endsWith(local) && f[3].equals("01")) {
                    unread += Long.parseLong(f[4].substring(f[4].indexOf(':') + 1), 16);
                }
            }
            return unread;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
