package dev.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.PortMap;
import dev.portico.testing.TestPortico;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** Open websockets across a reload and a graceful stop: they run on the old configuration until they close. */
class TunnelLifecycleTest {
    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private static String conf(String readTimeout, String shutdownTimeout) {
        String c = "error_log logs/error.log notice;\n" + WebSocketTest.CONF.replace("READ", readTimeout);
        return shutdownTimeout == null ? c : c.replace("events {}", "worker_shutdown_timeout " + shutdownTimeout + ";\nevents {}");
    }

    @Test
    void aReloadLeavesOpenWebsocketsOnTheOldConfigurationAndTheOldOneExitsWhenTheyClose() throws Exception {
        PortMap ports = new PortMap();
        try (WsEchoServer backend = new WsEchoServer(ports.get(17082), "one");
             TestPortico p = TestPortico.builder().ports(ports).conf(conf("60s", null)).start()) {
            URI hub = URI.create("ws://127.0.0.1:" + p.port(8080) + "/hub");
            WebSocketTest.Client old = WebSocketTest.Client.open(hub);
            p.reload(conf("1s", null));
            await("reload done", () -> p.errorLog().contains("start worker processes"));
            // the new configuration's 1 s timeout does not apply to the tunnel opened before
            Thread.sleep(1500);
            old.ws.sendText("still here", true).get(5, TimeUnit.SECONDS);
            assertThat(old.next()).isEqualTo("still here");
            assertThat(p.errorLog()).doesNotContain("exited with code 0");
            // a new websocket gets the new configuration
            WebSocketTest.Client fresh = WebSocketTest.Client.open(hub);
            assertThat(fresh.closed.get(10, TimeUnit.SECONDS)).isIn(-1, 1006);
            old.ws.sendClose(1000, "").get(5, TimeUnit.SECONDS);
            assertThat(old.closed.get(10, TimeUnit.SECONDS)).isEqualTo(1000);
            await("the old configuration drained", () -> p.errorLog().contains("exited with code 0"));
        }
    }

    @Test
    void aGracefulStopWaitsForOpenWebsockets() throws Exception {
        PortMap ports = new PortMap();
        try (WsEchoServer backend = new WsEchoServer(ports.get(17082), "one");
             TestPortico p = TestPortico.builder().ports(ports).conf(conf("60s", null)).start()) {
            WebSocketTest.Client c = WebSocketTest.Client.open(URI.create("ws://127.0.0.1:" + p.port(8080) + "/hub"));
            p.server().stopGracefully();
            assertThat(p.errorLog()).contains("gracefully shutting down").doesNotContain("exiting");
            c.ws.sendText("during the stop", true).get(5, TimeUnit.SECONDS);
            assertThat(c.next()).isEqualTo("during the stop");
            assertThat(p.server().awaitStop(300)).isFalse();
            c.ws.sendClose(1000, "").get(5, TimeUnit.SECONDS);
            assertThat(p.server().awaitStop(10_000)).isTrue();
        }
    }

    @Test
    void workerShutdownTimeoutEndsOpenWebsocketsAndLogsAsNginx() throws Exception {
        PortMap ports = new PortMap();
        String conf = conf("60s", "1s").replace("http {", "http {\n    access_log logs/access.log;");
        try (WsEchoServer backend = new WsEchoServer(ports.get(17082), "one");
             TestPortico p = TestPortico.builder().ports(ports).conf(conf).start()) {
            WebSocketTest.Client c = WebSocketTest.Client.open(URI.create("ws://127.0.0.1:" + p.port(8080) + "/hub"));
            p.server().stopGracefully();
            assertThat(p.server().awaitStop(10_000)).isTrue();
            assertThat(c.closed.get(10, TimeUnit.SECONDS)).isIn(-1, 1006);
            // nginx's worker says only this much at notice level; the shutdown timer itself logs at debug
            String log = p.errorLog();
            String stop = log.substring(log.indexOf("gracefully shutting down"));
            assertThat(stop.lines().map(l -> l.replaceAll("^.*\\[notice\\] \\d+#\\d+: ", "")))
                .containsExactly("gracefully shutting down", "exiting", "exit");
            // the tunnel's request is logged when the timeout ends it
            await("the access log line of the tunnel", () -> p.readFile("logs/access.log").contains("\"GET /hub HTTP/1.1\" 101 "));
        }
    }
}
