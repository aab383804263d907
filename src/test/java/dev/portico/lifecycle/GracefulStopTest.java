package dev.portico.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.Await;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** SIGQUIT / -s quit: stop accepting, finish what is in flight, then exit; SIGTERM / -s stop: now. */
class GracefulStopTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String CONF = """
        error_log logs/error.log notice;
        events {}
        http {
            server {
                listen 127.0.0.1:18080;
                location / { return 200 "ok\\n"; }
                location /upload { }
            }
        }
        """;

    @Test
    void aSlowRequestInFlightCompletesAndNoNewConnectionIsAccepted() throws Exception {
        try (TestPortico p = TestPortico.builder().conf(CONF).modules(BodyWaitingCheck.MODULE).start(); RawHttp slow = new RawHttp(p.port(18080))) {
            slow.send("POST /upload HTTP/1.1\r\nHost: x\r\n" + BodyWaitingCheck.HEADER + ": 1\r\nContent-Length: 6\r\n\r\nab");
            Await.until(WAIT, "the slow request to be in flight", () -> p.server().snapshot().usage().inFlight() == 1);

            p.server().stopGracefully();
            Await.until(WAIT, "the listener to close", () -> !connects(p.port(18080)));
            assertThat(p.server().isStopped()).isFalse();

            RawHttp.Response r = slow.send("cdef").readResponse(false);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo("got 6 bytes\n");
            // the connection does not stay for another request
            assertThat(r.header("Connection")).isEqualTo("close");
            assertThat(slow.closedByServer(5000)).isTrue();
            assertThat(p.server().awaitStop(WAIT.toMillis())).isTrue();
            assertThat(p.errorLog()).contains("gracefully shutting down", "exit");
            assertThat(java.nio.file.Files.exists(p.prefix().resolve("logs/nginx.pid"))).isFalse();
        }
    }

    @Test
    void idleKeepAliveConnectionsAreClosedAtOnce() throws Exception {
        try (TestPortico p = TestPortico.start(CONF); RawHttp idle = new RawHttp(p.port(18080))) {
            RawHttp.Response r = idle.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").readResponse(false);
            assertThat(r.header("Connection")).isEqualTo("keep-alive");
            p.server().stopGracefully();
            assertThat(idle.closedByServer(5000)).isTrue();
            assertThat(p.server().awaitStop(WAIT.toMillis())).isTrue();
        }
    }

    @Test
    void aConnectionWithoutARequestYetMayStillSendOneAndIsThenClosed() throws Exception {
        try (TestPortico p = TestPortico.start(CONF); RawHttp fresh = new RawHttp(p.port(18080))) {
            // the connection is accepted before the stop (its first bytes come after)
            Await.until(WAIT, "the connection to be accepted", () -> p.server().openConnections() == 1);
            p.server().stopGracefully();
            Await.until(WAIT, "the listener to close", () -> !connects(p.port(18080)));
            RawHttp.Response r = fresh.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").readResponse(false);
            assertThat(r.bodyText()).isEqualTo("ok\n");
            assertThat(r.header("Connection")).isEqualTo("close");
            assertThat(fresh.closedByServer(5000)).isTrue();
            assertThat(p.server().awaitStop(WAIT.toMillis())).isTrue();
        }
    }

    @Test
    void workerShutdownTimeoutClosesAConnectionThatNeverSentARequest() throws Exception {
        try (TestPortico p = TestPortico.start("worker_shutdown_timeout 300ms;\n" + CONF); RawHttp fresh = new RawHttp(p.port(18080))) {
            Await.until(WAIT, "the connection to be accepted", () -> p.server().openConnections() == 1);
            p.server().stopGracefully();
            assertThat(p.server().awaitStop(WAIT.toMillis())).isTrue();
            assertThat(fresh.closedByServer(5000)).isTrue();
            assertThat(p.errorLog()).contains("gracefully shutting down", "exiting", "exit");
        }
    }

    @Test
    void workerShutdownTimeoutBoundsTheWait() throws Exception {
        try (TestPortico p = TestPortico.builder().conf("worker_shutdown_timeout 300ms;\n" + CONF).modules(BodyWaitingCheck.MODULE).start();
             RawHttp stuck = new RawHttp(p.port(18080))) {
            stuck.send("POST /upload HTTP/1.1\r\nHost: x\r\n" + BodyWaitingCheck.HEADER + ": 1\r\nContent-Length: 6\r\n\r\nab");
            Await.until(WAIT, "the request to be in flight", () -> p.server().snapshot().usage().inFlight() == 1);
            long start = System.nanoTime();
            p.server().stopGracefully();
            assertThat(p.server().awaitStop(WAIT.toMillis())).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
            assertThat(stuck.closedByServer(5000)).isTrue();
        }
    }

    @Test
    void aFastStopClosesEverythingNow() throws Exception {
        try (TestPortico p = TestPortico.builder().conf(CONF).modules(BodyWaitingCheck.MODULE).start(); RawHttp busy = new RawHttp(p.port(18080))) {
            busy.send("POST /upload HTTP/1.1\r\nHost: x\r\n" + BodyWaitingCheck.HEADER + ": 1\r\nContent-Length: 6\r\n\r\nab");
            Await.until(WAIT, "the request to be in flight", () -> p.server().snapshot().usage().inFlight() == 1);
            p.server().stopFast();
            assertThat(p.server().isStopped()).isTrue();
            assertThat(busy.closedByServer(5000)).isTrue();
            assertThat(connects(p.port(18080))).isFalse();
        }
    }

    private static boolean connects(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return true;
        } catch (ConnectException e) {
            return false;
        } catch (IOException e) {
            return false;
        }
    }
}
