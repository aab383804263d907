package dev.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.Await;
import dev.portico.testing.PortMap;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import java.net.URI;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** limit_conn counts a websocket for as long as its tunnel is open, and gives the place back when it closes. */
class LimitConnWebSocketTest {
    @Test
    void aWebSocketHoldsItsPlaceUntilItCloses() throws Exception {
        PortMap ports = new PortMap();
        try (WsEchoServer backend = new WsEchoServer(ports.get(17082), "one");
             TestPortico p = TestPortico.builder().ports(ports).conf(WebSocketTest.CONF.replace("READ", "60s")
                 .replace("http {", "http {\n limit_conn_zone $binary_remote_addr zone=addr:1m;")
                 .replace("proxy_pass http://127.0.0.1:17082;", "proxy_pass http://127.0.0.1:17082; limit_conn addr 1;")).start()) {
            WebSocketTest.Client ws = WebSocketTest.Client.open(URI.create("ws://127.0.0.1:" + p.port(8080) + "/hub"));
            ws.ws.sendText("hello", true).get(5, TimeUnit.SECONDS);
            assertThat(ws.messages.poll(5, TimeUnit.SECONDS)).isEqualTo("hello");
            try (RawHttp c = new RawHttp(p.port(8080))) {
                assertThat(c.send("GET /other HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false).status()).isEqualTo(503);
            }
            ws.ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
            ws.closed.get(5, TimeUnit.SECONDS);
            Await.until(Duration.ofSeconds(10), "the place to come back", () -> {
                try (RawHttp c = new RawHttp(p.port(8080))) {
                    return c.send("GET /other HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false).status() != 503;
                }
            });
        }
    }
}
