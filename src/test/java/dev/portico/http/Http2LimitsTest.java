package dev.portico.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.portico.config.ConfigException;
import dev.portico.testing.Await;
import dev.portico.testing.H2Client;
import dev.portico.testing.TestPortico;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The connection's limits over HTTP/2: what the SETTINGS announce, keep-alive limits ending in
 * GOAWAY, the codec's protections (a rapid-reset flood gets GOAWAY ENHANCE_YOUR_CALM while other
 * clients go on), the per-stream body limits and timeouts, limit_conn counting streams, and the
 * directives' checks.
 */
class Http2LimitsTest {
    private static String conf(String http, String server) {
        return "error_log logs/error.log info;\nevents {}\nhttp {\n " + http + "\n"
            + " server { listen 127.0.0.1:8080; http2 on; " + server + "\n"
            + "  location / { return 200 \"ok $request\\n\"; }\n"
            + "  location /up { proxy_pass http://127.0.0.1:9; }\n"
            + " }\n}\n";
    }

    private static Http2Headers post(String path) {
        return H2Client.get(path).method("POST");
    }

    @Test
    void theSettingsAreTheServers() throws Exception {
        String c = conf("", "http2_max_concurrent_streams 7; http2_body_preread_size 32k; large_client_header_buffers 2 4k;");
        try (TestPortico p = TestPortico.start(c); H2Client h = H2Client.plain(p.port(8080))) {
            assertThat(h.get("/", 10).bodyText()).isEqualTo("ok GET / HTTP/2.0\n");
            Http2Settings s = h.settings.get(0);
            assertThat(s.maxConcurrentStreams()).isEqualTo(7L);
            assertThat(s.initialWindowSize()).isEqualTo(32 * 1024);
            // nginx announces no header list size; the codec's is set never to refuse a list nginx takes
            assertThat(s.maxHeaderListSize()).isEqualTo(33 * 8 * 1024L);
        }
    }

    @Test
    void keepaliveRequestsEndsTheConnectionWithGoAwayAfterServingTheLastStream() throws Exception {
        try (TestPortico p = TestPortico.start(conf("keepalive_requests 3;", "")); H2Client h = H2Client.plain(p.port(8080))) {
            for (int i = 0; i < 3; i++) {
                assertThat(h.get("/" + i, 10).status()).isEqualTo(200);
            }
            H2Client.GoAway g = h.goAway.get(10, TimeUnit.SECONDS);
            assertThat(g.errorCode()).isEqualTo(Http2Error.NO_ERROR.code());
            // the third stream (Netty's client numbers them 3, 5, 7) is the last served
            assertThat(g.lastStreamId()).isEqualTo(7);
            assertThat(h.channel().closeFuture().await(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void anIdleConnectionGoesAwayAfterKeepaliveTimeout() throws Exception {
        try (TestPortico p = TestPortico.start(conf("keepalive_timeout 300ms;", "")); H2Client h = H2Client.plain(p.port(8080))) {
            assertThat(h.get("/", 10).status()).isEqualTo(200);
            H2Client.GoAway g = h.goAway.get(10, TimeUnit.SECONDS);
            assertThat(g.errorCode()).isEqualTo(Http2Error.NO_ERROR.code());
            assertThat(g.lastStreamId()).isEqualTo(3);
            assertThat(h.channel().closeFuture().await(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void aRapidResetFloodGetsGoAwayAndOtherClientsGoOn() throws Exception {
        try (TestPortico p = TestPortico.start(conf("", "")); H2Client flood = H2Client.plain(p.port(8080))) {
            // CVE-2023-44487: open streams and cancel them at once, far past the codec's limit
            for (int i = 0; i < 400 && flood.channel().isActive(); i++) {
                try {
                    Http2StreamChannel s = flood.open(post("/up"), new CompletableFuture<>());
                    s.close().sync();
                } catch (Exception e) {
                    // the server went away mid-flood
                    break;
                }
            }
            // the connection lingers after its GOAWAY, so the client reads it rather than a reset
            H2Client.GoAway g = flood.goAway.get(10, TimeUnit.SECONDS);
            assertThat(g.errorCode()).isEqualTo(Http2Error.ENHANCE_YOUR_CALM.code());
            assertThat(flood.channel().closeFuture().await(10, TimeUnit.SECONDS)).isTrue();
            try (H2Client other = H2Client.plain(p.port(8080))) {
                assertThat(other.get("/fine", 10).bodyText()).isEqualTo("ok GET /fine HTTP/2.0\n");
            }
            Await.until(Duration.ofSeconds(5), "the log line", () -> p.errorLog().contains("ENHANCE_YOUR_CALM"));
        }
    }

    @Test
    void emptyDataFramesInARowAreAFlood() throws Exception {
        try (TestPortico p = TestPortico.start(conf("", "")); H2Client flood = H2Client.plain(p.port(8080))) {
            Http2StreamChannel s = flood.open(post("/up"), new CompletableFuture<>());
            // Netty's client never sends empty DATA frames: write their bytes under its codec
            io.netty.buffer.ByteBuf frames = Unpooled.buffer();
            for (int i = 0; i < 5; i++) {
                frames.writeMedium(0).writeByte(0).writeByte(0).writeInt(s.stream().id());
            }
            flood.channel().pipeline().firstContext().writeAndFlush(frames).sync();
            H2Client.GoAway g = flood.goAway.get(10, TimeUnit.SECONDS);
            assertThat(g.errorCode()).isEqualTo(Http2Error.ENHANCE_YOUR_CALM.code());
            assertThat(flood.channel().closeFuture().await(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void aBodyOverClientMaxBodySizeGets413AndTheConnectionStays() throws Exception {
        try (TestPortico p = TestPortico.start(conf("", "client_max_body_size 10k;")); H2Client h = H2Client.plain(p.port(8080))) {
            // without Content-Length the limit is counted as the DATA frames come
            H2Client.Response r = h.send(post("/up"), new byte[20_000]).get(10, TimeUnit.SECONDS);
            assertThat(r.status()).isEqualTo(413);
            // with Content-Length, refused before any of it is read
            H2Client.Response r2 = h.send(post("/up").setInt("content-length", 20_000), new byte[20_000]).get(10, TimeUnit.SECONDS);
            assertThat(r2.status()).isEqualTo(413);
            assertThat(h.get("/after", 10).status()).isEqualTo(200);
            Await.until(Duration.ofSeconds(5), "the log line", () -> p.errorLog().contains("client intended to send too large body"));
        }
    }

    @Test
    void aStalledBodyGets408AfterClientBodyTimeout() throws Exception {
        try (TestPortico p = TestPortico.start(conf("", "client_body_timeout 300ms;")); H2Client h = H2Client.plain(p.port(8080))) {
            CompletableFuture<H2Client.Response> done = new CompletableFuture<>();
            Http2StreamChannel s = h.open(post("/up"), done);
            s.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(new byte[10]), false)).sync();
            assertThat(done.get(10, TimeUnit.SECONDS).status()).isEqualTo(408);
            assertThat(h.get("/after", 10).status()).isEqualTo(200);
            Await.until(Duration.ofSeconds(5), "the log line", () -> p.errorLog().contains("while reading client request body"));
        }
    }

    @Test
    void aClientThatOpensNoWindowIsResetAfterSendTimeout() throws Exception {
        String c = conf("", "send_timeout 300ms; location /big { return 200 \"$request_id$request_id$request_id\"; }");
        try (TestPortico p = TestPortico.start(c); H2Client h = H2Client.plain(p.port(8080), new Http2Settings().initialWindowSize(0))) {
            H2Client.Response r = h.get("/big", 10);
            // the head went out, the body cannot: the stream is reset, the connection lives on
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.resetCode()).isEqualTo(Http2Error.INTERNAL_ERROR.code());
            Await.until(Duration.ofSeconds(5), "the log line", () -> p.errorLog().contains("while sending response to client"));
            assertThat(h.channel().isActive()).isTrue();
        }
    }

    @Test
    void limitConnCountsStreams() throws Exception {
        String c = conf("limit_conn_zone $binary_remote_addr zone=a:1m;", "location /held { limit_conn a 2; proxy_pass http://127.0.0.1:9; }");
        try (TestPortico p = TestPortico.start(c); H2Client h = H2Client.plain(p.port(8080))) {
            List<Http2StreamChannel> held = new ArrayList<>();
            List<CompletableFuture<H2Client.Response>> heldDone = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                CompletableFuture<H2Client.Response> d = new CompletableFuture<>();
                // a body still to come keeps the request (and its count) open
                held.add(h.open(post("/held"), d));
                heldDone.add(d);
            }
            // the third stream of the same client is one too many
            Await.until(Duration.ofSeconds(5), "the third stream refused", () -> {
                try {
                    return h.send(post("/held"), new byte[1]).get(10, TimeUnit.SECONDS).status() == 503;
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            // cancelling the held streams gives their counts back
            for (Http2StreamChannel s : held) {
                s.close().sync();
            }
            Await.until(Duration.ofSeconds(5), "the counts given back", () -> {
                try {
                    return h.send(post("/held"), new byte[1]).get(10, TimeUnit.SECONDS).status() == 502;
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "http2_chunk_size 0;                 | the http2 chunk size cannot be zero in FILE:3",
        "http2_body_preread_size 3g;         | the maximum body preread buffer size is 2147483647 in FILE:3",
        "http2 maybe;                        | invalid value \"maybe\" in \"http2\" directive, it must be \"on\" or \"off\" in FILE:3",
        "http2_max_concurrent_streams x;     | \"http2_max_concurrent_streams\" directive invalid number in FILE:3",
        "server { http2_recv_buffer_size 1m; } | \"http2_recv_buffer_size\" directive is not allowed here in FILE:3",
        "http2_recv_buffer_size 16;          | value is too small in FILE:3",
        "http2_pool_size 4k;                 | unknown directive \"http2_pool_size\" in FILE:3",
    })
    void theDirectivesChecksAreNginxs(String directive, String expected) {
        String text = "events {}\nhttp {\n" + directive + "\n}\n";
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> TestPortico.load(text));
        assertThat(e).isNotNull();
        String file = e.file() == null ? "" : e.file().toString();
        assertThat(e.getMessage()).isEqualTo(expected.replace("FILE", file));
    }

    @Test
    void obsoleteDirectivesAreAcceptedWithNginxsWarningsAndListenHttp2Works() throws Exception {
        try (TestPortico p = TestPortico.start(conf("", ""))) {
            String next = conf("http2_idle_timeout 10s; http2_max_requests 5; http2_push_preload on;",
                "http2_push /x; http2_recv_timeout 1s; http2_max_field_size 1k; http2_max_header_size 2k; http2_max_concurrent_pushes 1;")
                .replace("listen 127.0.0.1:8080; http2 on;", "listen 127.0.0.1:8080 http2;");
            assertThat(p.reload(next)).isNull();
            String log = p.errorLog();
            assertThat(log).contains("[warn]")
                .contains("the \"http2_idle_timeout\" directive is obsolete, use the \"keepalive_timeout\" directive instead in ")
                .contains("the \"http2_max_requests\" directive is obsolete, use the \"keepalive_requests\" directive instead")
                .contains("the \"http2_recv_timeout\" directive is obsolete, use the \"client_header_timeout\" directive instead")
                .contains("the \"http2_max_field_size\" directive is obsolete, use the \"large_client_header_buffers\" directive instead")
                .contains("the \"http2_push\" directive is obsolete, ignored")
                .contains("the \"listen ... http2\" directive is deprecated, use the \"http2\" directive instead");
            try (H2Client h = H2Client.plain(p.port(8080))) {
                assertThat(h.get("/", 10).status()).isEqualTo(200);
            }
        }
    }
}
