package dev.portico.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.Await;
import dev.portico.testing.H2Client;
import dev.portico.testing.TestPortico;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2StreamChannel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** An HTTP/2 connection across a graceful stop (GOAWAY, the stream in flight finishes) and a reload (the next stream sees it). */
class Http2LifecycleTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static String conf(String text) {
        return """
            error_log logs/error.log notice;
            events {}
            http {
                server {
                    listen 127.0.0.1:18080;
                    http2 on;
                    location / { return 200 "TEXT\\n"; }
                    location /upload { }
                }
            }
            """.replace("TEXT", text);
    }

    @Test
    void aGracefulStopSendsGoAwayAndLetsTheStreamInFlightFinish() throws Exception {
        try (TestPortico p = TestPortico.builder().conf(conf("ok")).modules(BodyWaitingCheck.MODULE).start();
             H2Client c = H2Client.plain(p.port(18080))) {
            CompletableFuture<H2Client.Response> done = new CompletableFuture<>();
            Http2StreamChannel s = c.open(H2Client.get("/upload").method("POST").set(BodyWaitingCheck.HEADER.toLowerCase(), "1"), done);
            s.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(new byte[2]), false)).sync();
            Await.until(WAIT, "the slow request to be in flight", () -> p.server().snapshot().usage().inFlight() == 1);

            p.server().stopGracefully();
            H2Client.GoAway g = c.goAway.get(10, TimeUnit.SECONDS);
            assertThat(g.errorCode()).isEqualTo(Http2Error.NO_ERROR.code());
            assertThat(p.server().isStopped()).isFalse();

            s.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(new byte[4]), true)).sync();
            H2Client.Response r = done.get(10, TimeUnit.SECONDS);
            assertThat(r.bodyText()).isEqualTo("got 6 bytes\n");
            assertThat(c.channel().closeFuture().await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(p.server().awaitStop(WAIT.toMillis())).isTrue();
        }
    }

    @Test
    void theNextStreamAfterAReloadIsServedByTheNewConfiguration() throws Exception {
        try (TestPortico p = TestPortico.start(conf("one")); H2Client c = H2Client.plain(p.port(18080))) {
            assertThat(c.get("/", 10).bodyText()).isEqualTo("one\n");
            assertThat(p.reload(conf("two"))).isNull();
            assertThat(c.get("/", 10).bodyText()).isEqualTo("two\n");
            assertThat(c.channel().isActive()).isTrue();
        }
    }
}
