package dev.portico.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.Await;
import dev.portico.testing.H2Client;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Control characters in request targets, where nginx 1.30 puts them: a raw control byte or DEL
 * anywhere in the target (path or query) is an invalid request, 400 over HTTP/1 (an HTTP/2 :path
 * with one, or with a space, is refused); escaped ones (%0A) are decoded into $uri, kept raw in $request_uri, and written escaped
 * in the access log (\x0A; \\u000A with escape=json).
 */
class ControlCharactersTest {
    private static TestPortico portico;

    @BeforeAll
    static void start() {
        portico = TestPortico.start("""
            events {}
            http {
                log_format plain '$request_uri|$uri|$args';
                log_format json escape=json '$uri';
                server {
                    listen 127.0.0.1:8080;
                    http2 on;
                    access_log logs/plain.log plain;
                    access_log logs/json.log json;
                    location / { return 200 "ok"; }
                }
            }
            """);
    }

    @AfterAll
    static void stop() {
        portico.close();
    }

    @ParameterizedTest(name = "byte {0}")
    @ValueSource(ints = {0x01, 0x09, 0x0b, 0x1f, 0x7f})
    void aRawControlByteInTheTargetIs400(int b) {
        for (String target : new String[] {"/a" + (char) b + "b", "/a?x=" + (char) b}) {
            try (RawHttp c = new RawHttp(portico.port(8080))) {
                assertThat(c.send("GET " + target + " HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false).status())
                    .as(target).isEqualTo(400);
            }
        }
    }

    /** nginx answers 400; the stream is refused here before a request exists (a reset), the connection goes on. */
    @Test
    void anHttp2PathWithASpaceOrControlByteIsRefused() throws Exception {
        try (H2Client c = H2Client.plain(portico.port(8080))) {
            for (String path : new String[] {"/a b", "/a\u0001b", "/a?x=\u007f"}) {
                var h = new DefaultHttp2Headers(false).method("GET").scheme("http").authority("a").path(path);
                H2Client.Response r = c.send(h, null).get(10, TimeUnit.SECONDS);
                assertThat(r.status() == 400 || r.resetCode() > 0).as(path).isTrue();
                assertThat(r.status()).as(path).isNotEqualTo(200);
            }
            assertThat(c.get("/fine", 10).status()).isEqualTo(200);
        }
    }

    @Test
    void escapedControlsAreDecodedIntoTheUriAndEscapedInTheLog() {
        try (RawHttp c = new RawHttp(portico.port(8080))) {
            assertThat(c.send("GET /a%0Ab%09c?q=%0D%7F HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false).status()).isEqualTo(200);
        }
        Await.until(Duration.ofSeconds(10), "log lines", () -> portico.readFile("logs/json.log").contains("/a\\nb")
            && portico.readFile("logs/plain.log").contains("/a%0Ab%09c"));
        assertThat(portico.readFile("logs/plain.log")).contains("/a%0Ab%09c?q=%0D%7F|/a\\x0Ab\\x09c|q=%0D%7F\n");
        assertThat(portico.readFile("logs/json.log")).contains("/a\\nb\\tc\n");
    }
}
