package dev.portico.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.H2Client;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2Headers;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * nginx answers TRACE, and CONNECT since 1.25, with 405 once the request head is read
 * ("client sent TRACE method"), whatever the locations say, and closes the connection; an
 * authority-form CONNECT target is not a request target nginx parses: 400.
 */
class TraceConnectTest {
    private static final String CONF = """
        error_log logs/error.log info;
        events {}
        http {
            server { listen 127.0.0.1:8080; http2 on; server_name a; location / { return 200 "routed\\n"; } }
            server { listen 127.0.0.1:8080; server_name b; location / { return 200 "b\\n"; } }
        }
        """;

    private static RawHttp.Response send(TestPortico p, String head) {
        try (RawHttp c = new RawHttp(p.port(8080))) {
            return c.send(head).readResponse(false);
        }
    }

    @Test
    void traceAndConnectGet405AndTheConnectionCloses() throws Exception {
        try (TestPortico p = TestPortico.start(CONF)) {
            for (String method : new String[] {"TRACE", "CONNECT"}) {
                try (RawHttp c = new RawHttp(p.port(8080))) {
                    RawHttp.Response r = c.send(method + " / HTTP/1.1\r\nHost: b\r\n\r\n").readResponse(false);
                    assertThat(r.status()).as(method).isEqualTo(405);
                    assertThat(r.header("Connection")).isEqualTo("close");
                    assertThat(c.closedByServer(5000)).isTrue();
                }
            }
            assertThat(send(p, "TRACE http://b/x HTTP/1.1\r\nHost: b\r\n\r\n").status()).isEqualTo(405);
            assertThat(p.errorLog()).contains("client sent TRACE method").contains("client sent CONNECT method");
            // the other methods are routed
            assertThat(send(p, "OPTIONS / HTTP/1.1\r\nHost: b\r\n\r\n").bodyText()).isEqualTo("b\n");
        }
    }

    @Test
    void theHeadIsCheckedFirst() throws Exception {
        try (TestPortico p = TestPortico.start(CONF)) {
            assertThat(send(p, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n").status()).isEqualTo(400);
            assertThat(send(p, "TRACE / HTTP/1.1\r\n\r\n").status()).isEqualTo(400);
        }
    }

    @Test
    void anHttp2ConnectGets405() throws Exception {
        try (TestPortico p = TestPortico.start(CONF); H2Client c = H2Client.plain(p.port(8080))) {
            Http2Headers connect = new DefaultHttp2Headers().method("CONNECT").authority("example.com:443");
            assertThat(c.send(connect, null).get(10, TimeUnit.SECONDS).status()).isEqualTo(405);
            Http2Headers trace = new DefaultHttp2Headers().method("TRACE").scheme("http").path("/").authority("a");
            assertThat(c.send(trace, null).get(10, TimeUnit.SECONDS).status()).isEqualTo(405);
        }
    }
}
