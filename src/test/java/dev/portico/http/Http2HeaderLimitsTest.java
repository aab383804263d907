package dev.portico.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.Await;
import dev.portico.testing.H2Client;
import dev.portico.testing.TestPortico;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code large_client_header_buffers} over HTTP/2 as nginx applies it: each header name or value
 * may take the buffer size as sent on the wire (so a Huffman-coded value may decode longer), the
 * decoded list number × size; past either, GOAWAY ENHANCE_YOUR_CALM and nginx's info line.
 * Netty's client sends a string of 512 bytes or more Huffman-coded when that is shorter: "a" is
 * 5 bits, "#" 12 bits (so "#"s go as they are).
 */
class Http2HeaderLimitsTest {
    private static String conf(String server) {
        return "error_log logs/error.log info;\nevents {}\nhttp {\n"
            + " server { listen 127.0.0.1:8080; http2 on; " + server + "\n"
            + "  location / { return 200 \"ok\\n\"; }\n"
            + " }\n}\n";
    }

    private static Http2Headers withField(String value) {
        return H2Client.get("/x").add("x-big", value);
    }

    private static void assertGoesAway(TestPortico p, H2Client h, String line) throws Exception {
        H2Client.GoAway g = h.goAway.get(10, TimeUnit.SECONDS);
        assertThat(g.errorCode()).isEqualTo(Http2Error.ENHANCE_YOUR_CALM.code());
        assertThat(h.channel().closeFuture().await(10, TimeUnit.SECONDS)).isTrue();
        String expected = "[info] ";
        Await.until(Duration.ofSeconds(5), "the log line", () -> p.errorLog().lines().anyMatch(l -> l.contains(expected)
            && l.endsWith(line + " while processing HTTP/2 connection, client: 127.0.0.1, server: 127.0.0.1:" + p.port(8080))));
    }

    @Test
    void aFieldIsMeasuredAsSentSoAHuffmanCodedOneMayDecodeLonger() throws Exception {
        try (TestPortico p = TestPortico.start(conf("")); H2Client h = H2Client.plain(p.port(8080))) {
            // 9000 "a"s go as 5625 bytes: within 8k, as nginx takes them
            assertThat(h.send(withField("a".repeat(9000)), null).get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
            assertThat(h.send(withField("#".repeat(8192)), null).get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
            assertThat(h.channel().isActive()).isTrue();
        }
    }

    @Test
    void aFieldLongerThanTheBufferEndsTheConnectionAndOthersGoOn() throws Exception {
        try (TestPortico p = TestPortico.start(conf("")); H2Client h = H2Client.plain(p.port(8080))) {
            assertThat(h.get("/first", 10).status()).isEqualTo(200);
            h.send(withField("#".repeat(8193)), null);
            assertGoesAway(p, h, "client sent too large header field");
            try (H2Client other = H2Client.plain(p.port(8080))) {
                assertThat(other.get("/fine", 10).status()).isEqualTo(200);
            }
        }
    }

    @Test
    void aNameCountsAsAFieldToo() throws Exception {
        try (TestPortico p = TestPortico.start(conf("large_client_header_buffers 4 1k;")); H2Client h = H2Client.plain(p.port(8080))) {
            h.send(H2Client.get("/x").add("x-" + "#".repeat(1100), "v"), null);
            assertGoesAway(p, h, "client sent too large header field");
        }
    }

    @Test
    void theDecodedListMayTakeNumberTimesSize() throws Exception {
        // 2 x 1k: the pseudo-header fields of GET /x for "localhost" weigh 47, x-a 1003, x-b 3 + its value
        try (TestPortico p = TestPortico.start(conf("large_client_header_buffers 2 1k;")); H2Client h = H2Client.plain(p.port(8080))) {
            Http2Headers fits = H2Client.get("/x").add("x-a", "#".repeat(1000)).add("x-b", "#".repeat(995));
            assertThat(h.send(fits, null).get(10, TimeUnit.SECONDS).status()).isEqualTo(200);
            Http2Headers over = H2Client.get("/x").add("x-a", "#".repeat(1000)).add("x-b", "#".repeat(996));
            h.send(over, null);
            assertGoesAway(p, h, "client sent too large header");
        }
    }

    @Test
    void paddingPriorityAndContinuationFramesAreReadAsTheCodecReadsThem() throws Exception {
        try (TestPortico p = TestPortico.start(conf(""))) {
            // a value of 8192 bytes, its length split between HEADERS and CONTINUATION, after a POST with a body
            try (RawH2 c = new RawH2(p.port(8080))) {
                c.post(1);
                c.splitRequest(3, 8192);
                assertThat(c.statusOf(1)).isEqualTo(200);
                assertThat(c.statusOf(3)).isEqualTo(200);
            }
            try (RawH2 c = new RawH2(p.port(8080))) {
                c.post(1);
                c.splitRequest(3, 8193);
                assertThat(c.statusOf(1)).isEqualTo(200);
                assertThat(c.goAwayCode()).isEqualTo(Http2Error.ENHANCE_YOUR_CALM.code());
            }
        }
    }

    /** HTTP/2 frames written by hand: HPACK without Huffman, static table indexes for the pseudo-header fields. */
    private static final class RawH2 implements AutoCloseable {
        private final Socket socket;
        private final OutputStream out;
        private final DataInputStream in;
        private final List<int[]> heads = new ArrayList<>();
        private long goAway = -1;

        RawH2(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(10_000);
            out = socket.getOutputStream();
            in = new DataInputStream(socket.getInputStream());
            out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            frame(0x4, 0, 0, new byte[0]);
        }

        private void frame(int type, int flags, int stream, byte[] payload) throws IOException {
            out.write(new byte[] {(byte) (payload.length >> 16), (byte) (payload.length >> 8), (byte) payload.length, (byte) type,
                (byte) flags, (byte) (stream >> 24), (byte) (stream >> 16), (byte) (stream >> 8), (byte) stream});
            out.write(payload);
            out.flush();
        }

        /** :method (GET or POST), :scheme http, :path /, :authority localhost. */
        private static ByteArrayOutputStream pseudo(boolean post) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            b.write(post ? 0x83 : 0x82);
            b.write(0x86);
            b.write(0x84);
            b.write(0x01);
            b.write(9);
            b.writeBytes("localhost".getBytes(StandardCharsets.US_ASCII));
            return b;
        }

        /** A POST whose body comes in a DATA frame. */
        void post(int stream) throws IOException {
            frame(0x1, 0x4, stream, pseudo(true).toByteArray());
            frame(0x0, 0x1, stream, "body".getBytes(StandardCharsets.US_ASCII));
        }

        /** A GET whose header block starts in a padded HEADERS frame with priority and ends in a CONTINUATION. */
        void splitRequest(int stream, int valueLength) throws IOException {
            ByteArrayOutputStream first = new ByteArrayOutputStream();
            first.write(3);
            first.writeBytes(new byte[] {0, 0, 0, 0, 15});
            first.writeBytes(pseudo(false).toByteArray());
            // a literal without indexing, new name "x-big", its value's length in an integer of three bytes
            first.write(0x00);
            first.write(5);
            first.writeBytes("x-big".getBytes(StandardCharsets.US_ASCII));
            int rest = valueLength - 127;
            first.write(0x7f);
            first.write(0x80 | (rest & 0x7f));
            first.writeBytes(new byte[] {0, 0, 0});
            frame(0x1, 0x1 | 0x8 | 0x20, stream, first.toByteArray());
            ByteArrayOutputStream second = new ByteArrayOutputStream();
            second.write(rest >> 7);
            second.writeBytes("#".repeat(valueLength).getBytes(StandardCharsets.US_ASCII));
            frame(0x9, 0x4, stream, second.toByteArray());
        }

        /** Reads frames until a HEADERS frame for the stream: its status (only 200 is read, as the static index). */
        int statusOf(int stream) throws IOException {
            while (true) {
                for (int[] h : heads) {
                    if (h[0] == stream) {
                        return h[1];
                    }
                }
                readFrame();
                if (goAway >= 0) {
                    return -1;
                }
            }
        }

        long goAwayCode() throws IOException {
            try {
                while (goAway < 0) {
                    readFrame();
                }
            } catch (EOFException closed) {
                // the close after GOAWAY
            }
            return goAway;
        }

        private void readFrame() throws IOException {
            int length = in.readUnsignedByte() << 16 | in.readUnsignedShort();
            int type = in.readUnsignedByte();
            in.readUnsignedByte();
            int stream = in.readInt() & 0x7fffffff;
            byte[] payload = in.readNBytes(length);
            if (type == 0x1) {
                heads.add(new int[] {stream, (payload[0] & 0xff) == 0x88 ? 200 : 0});
            } else if (type == 0x7) {
                goAway = ((long) (payload[4] & 0xff) << 24) | (payload[5] & 0xff) << 16 | (payload[6] & 0xff) << 8 | (payload[7] & 0xff);
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
