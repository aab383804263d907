package dev.portico.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.core.Snapshot;
import dev.portico.http.ServerNameIndex;
import dev.portico.testing.TestPortico;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Handler tier: the connection pipeline on an {@link EmbeddedChannel} with a content handler that
 * reads the request body (as proxy_pass will), for the body rules a {@code return} never reaches:
 * chunked bodies over client_max_body_size, malformed chunks, client_body_timeout, 100-continue,
 * and response framing for HEAD and HTTP/1.0 when no length is known. Leak-checked.
 */
class RequestBodyFramingTest {
    private static Snapshot snapshot;
    private EmbeddedChannel channel;

    @BeforeAll
    static void load() throws Exception {
        snapshot = TestPortico.load("""
            events {}
            http {
                client_max_body_size 10;
                client_body_timeout 300ms;
                server { listen 127.0.0.1:8080; }
            }
            """);
    }

    @AfterEach
    void noLeaks() {
        if (channel != null) {
            drain();
            assertThat(channel.finishAndReleaseAll()).isFalse();
        }
    }

    private EmbeddedChannel open(ContentHandler handler) {
        VirtualServer base = HttpConf.of(snapshot).servers().get(0);
        Location loc = new Location(Location.Kind.PREFIX, "/", null, base.settings(), List.of(), handler, LocationTree.EMPTY, "test");
        VirtualServer vs = new VirtualServer(base.names(), base.listens(), base.settings(), List.of(),
            new LocationTree(List.of(loc), List.of()), Map.of(), base.root(), "test");
        ListenSpec spec = base.listens().get(0);
        ListenerConf listener = new ListenerConf(spec.key(), spec, new AddressConf(spec, new ServerNameIndex<>(vs)), Map.of());
        ServerRuntime runtime = new ServerRuntime() {
            @Override
            public Snapshot snapshot() {
                return snapshot;
            }

            @Override
            public boolean draining() {
                return false;
            }
        };
        HttpConnectionHandler http = new HttpConnectionHandler(runtime, listener, vs.settings());
        channel = new EmbeddedChannel(new ByteActivityHandler(http), new StrictRequestDecoder(8192, 32768, 1000),
            new OrderedResponseEncoder(), http);
        return channel;
    }

    /** Reads the whole body, then answers "got N". */
    private static final ContentHandler COUNT_BODY = ex -> {
        long[] n = {0};
        ex.bodyHandler(new RequestBodyHandler() {
            @Override
            public void onContent(HttpContent c) {
                n[0] += c.content().readableBytes();
                boolean last = c instanceof LastHttpContent;
                c.release();
                if (last) {
                    ex.send(200, null, Unpooled.copiedBuffer("got " + n[0], StandardCharsets.US_ASCII));
                } else {
                    ex.readBody();
                }
            }
        });
        ex.readBody();
    };

    private void in(String raw) {
        channel.writeInbound(Unpooled.copiedBuffer(raw, StandardCharsets.ISO_8859_1));
    }

    private String drain() {
        StringBuilder out = new StringBuilder();
        Object o;
        while ((o = channel.readOutbound()) != null) {
            if (o instanceof ByteBuf b) {
                out.append(b.toString(StandardCharsets.ISO_8859_1));
                b.release();
            } else {
                io.netty.util.ReferenceCountUtil.release(o);
            }
        }
        return out.toString();
    }

    static Stream<Arguments> bodies() {
        String head = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
        String smuggled = "GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n";
        return Stream.of(
            Arguments.of("a chunked body within client_max_body_size", head + "8\r\n12345678\r\n0\r\n\r\n", 200, "got 8", true),
            Arguments.of("a chunked body over client_max_body_size",
                head + "8\r\n12345678\r\n8\r\n12345678\r\n0\r\n\r\n" + smuggled, 413, null, false),
            Arguments.of("an invalid chunk size", head + "8\r\n12345678\r\nzz\r\n" + smuggled, 400, null, false),
            Arguments.of("an invalid chunk extension", head + "8;a@b\r\n12345678\r\n0\r\n\r\n" + smuggled, 400, null, false),
            Arguments.of("chunk data without its CRLF", head + "2\r\n12345678\r\n0\r\n\r\n" + smuggled, 400, null, false),
            Arguments.of("a Content-Length body", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nabcd", 200, "got 4", true));
    }

    @ParameterizedTest(name = "{0}: {2}")
    @MethodSource("bodies")
    void aBodyReaderSeesTheBodyRules(String name, String raw, int status, String body, boolean open) {
        open(COUNT_BODY);
        in(raw);
        String out = drain();
        assertThat(out).startsWith("HTTP/1.1 " + status + " ");
        assertThat(out.split("HTTP/1.1 ", -1)).as("exactly one response").hasSize(2);
        if (body != null) {
            assertThat(out).endsWith("\r\n\r\n" + body);
        }
        assertThat(out).contains(open ? "Connection: keep-alive" : "Connection: close");
        assertThat(channel.isOpen()).isEqualTo(open);
    }

    @Test
    void aClientThatStopsSendingTheBodyGets408() throws InterruptedException {
        open(COUNT_BODY);
        in("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 8\r\n\r\n1234");
        assertThat(drain()).isEmpty();
        Thread.sleep(450); // client_body_timeout 300ms, measured on the real clock
        channel.runScheduledPendingTasks();
        String out = drain();
        assertThat(out).startsWith("HTTP/1.1 408 Request Time-out\r\n").contains("Connection: close");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void expectContinueGets100WhenTheBodyIsRead() {
        open(COUNT_BODY);
        in("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
        assertThat(drain()).isEqualTo("HTTP/1.1 100 Continue\r\n\r\n");
        in("hello");
        assertThat(drain()).startsWith("HTTP/1.1 200 OK\r\n").contains("Connection: keep-alive").endsWith("got 5");
    }

    /** Answers with a body of unknown length in two pieces. */
    private static final ContentHandler STREAM = ex -> {
        DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set("content-type", "text/plain");
        ex.writeHead(head);
        ex.writeContent(new DefaultHttpContent(Unpooled.copiedBuffer("abc", StandardCharsets.US_ASCII)), false);
        ex.end(LastHttpContent.EMPTY_LAST_CONTENT);
    };

    @Test
    void aBodyOfUnknownLengthIsChunkedForHttp11() {
        open(STREAM);
        in("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(drain()).contains("\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\n")
            .endsWith("\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
    }

    @Test
    void headOfAChunkedResponseCarriesNoChunks() {
        open(STREAM);
        in("HEAD / HTTP/1.1\r\nHost: a\r\n\r\n");
        String out = drain();
        assertThat(out).doesNotContain("Transfer-Encoding").contains("Connection: keep-alive").endsWith("\r\n\r\n");
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void anHttp10ClientGetsTheBodyUntilTheConnectionCloses() {
        open(STREAM);
        in("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        String out = drain();
        assertThat(out).startsWith("HTTP/1.1 200 OK\r\n").doesNotContain("Transfer-Encoding").contains("Connection: close")
            .endsWith("\r\n\r\nabc");
        assertThat(channel.isOpen()).isFalse();
    }
}
