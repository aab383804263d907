package dev.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.Await;
import dev.portico.testing.PortMap;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * post_action (ngx_http_post_action): once the response is sent, or the client is gone, the
 * request goes on in the action's URI (its arguments dropped) or named location, with its method
 * and headers; the client never sees what the action answers, and the request is logged once,
 * when the action is over.
 */
class PostActionTest {
    private static final String CONF = """
        events {}
        http {
            log_format a '$request_uri $status';
            access_log logs/a.log a;
            server {
                listen 127.0.0.1:8080;
                post_action /done;
                location /download { return 200 "payload"; }
                location /done { internal; proxy_pass http://127.0.0.1:17081; proxy_set_header X-Original $request_uri; }
                location /named { post_action @notify; return 200 "named"; }
                location @notify { proxy_pass http://127.0.0.1:17081; proxy_set_header X-Original "named $request_uri"; }
                location /quiet { post_action off; return 200 "quiet"; }
                location /slow { proxy_pass http://127.0.0.1:17082; }
            }
        }
        """;

    @Test
    void theActionRunsAfterTheResponseUnseenByTheClient() throws Exception {
        PortMap ports = new PortMap();
        try (Backend notify = Backend.on(ports, 17081, ex -> ex.send(200, "ACTION OUTPUT"));
             TestPortico p = TestPortico.builder().ports(ports).conf(CONF).start();
             RawHttp c = new RawHttp(p.port(8080))) {
            RawHttp.Response r = c.send("POST /download?a=1 HTTP/1.1\r\nHost: a\r\nX-Client: yes\r\n\r\n").readResponse(false);
            assertThat(r.bodyText()).isEqualTo("payload");
            Backend.Request action = notify.take();
            assertThat(action.method()).isEqualTo("POST");
            assertThat(action.target()).isEqualTo("/done");
            assertThat(action.header("X-Original")).isEqualTo("/download?a=1");
            assertThat(action.header("X-Client")).isEqualTo("yes");
            // the connection goes on; nothing of the action's answer reached it
            RawHttp.Response next = c.send("GET /named HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false);
            assertThat(next.bodyText()).isEqualTo("named");
            assertThat(notify.take().header("X-Original")).isEqualTo("named /named");
            assertThat(c.send("GET /quiet HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false).bodyText()).isEqualTo("quiet");
            Await.until(Duration.ofSeconds(10), "three log lines", () -> p.readFile("logs/a.log").lines().count() == 3);
            assertThat(p.readFile("logs/a.log").lines().toList())
                .containsExactlyInAnyOrder("/download?a=1 200", "/named 200", "/quiet 200");
            assertThat(notify.requests).isEmpty();
        }
    }

    @Test
    void theActionRunsWhenTheClientIsGone() throws Exception {
        PortMap ports = new PortMap();
        CountDownLatch release = new CountDownLatch(1);
        try (Backend notify = Backend.on(ports, 17081, ex -> ex.send(204, ""));
             Backend slow = Backend.on(ports, 17082, ex -> {
                 release.await(10, TimeUnit.SECONDS);
                 ex.send(200, "late");
             });
             TestPortico p = TestPortico.builder().ports(ports).conf(CONF).start()) {
            try (RawHttp c = new RawHttp(p.port(8080))) {
                c.send("GET /slow HTTP/1.1\r\nHost: a\r\n\r\n");
                slow.take();
            }
            Backend.Request action = notify.take();
            assertThat(action.target()).isEqualTo("/done");
            assertThat(action.header("X-Original")).isEqualTo("/slow");
            release.countDown();
        }
    }
}
