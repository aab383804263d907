package dev.portico.observability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** error_log in http, server and location: messages about a request go to the log of its location. */
class ErrorLogPerLocationTest {
    private static final String CONF = """
        events {}
        error_log logs/error.log;
        http {
            server {
                listen 127.0.0.1:8080;
                client_max_body_size 10;
                location /own { error_log logs/own.log; }
                location /quiet { error_log logs/quiet.log crit; }
                location / { }
            }
        }
        """;

    private static int post(TestPortico p, String path) {
        try (RawHttp c = new RawHttp(p.port(8080))) {
            return c.send("POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n").readResponse(false).status();
        }
    }

    @Test
    void locationErrorLogTakesTheRequestMessages() {
        try (TestPortico p = TestPortico.start(CONF)) {
            assertThat(post(p, "/own/x")).isEqualTo(413);
            assertThat(p.readFile("logs/own.log")).contains("[error]").contains("client intended to send too large body: 100 bytes");
            assertThat(p.errorLog()).doesNotContain("too large body");

            assertThat(post(p, "/other")).isEqualTo(413);
            assertThat(p.errorLog()).contains("client intended to send too large body");
        }
    }

    @Test
    void locationErrorLogLevelFilters() {
        try (TestPortico p = TestPortico.start(CONF)) {
            assertThat(post(p, "/quiet")).isEqualTo(413);
            assertThat(p.readFile("logs/quiet.log")).doesNotContain("too large body");
            assertThat(p.errorLog()).doesNotContain("too large body");
        }
    }

    @Test
    void reopenStartsANewLocationErrorLog() throws Exception {
        try (TestPortico p = TestPortico.start(CONF)) {
            post(p, "/own/1");
            Path own = p.prefix().resolve("logs/own.log");
            Files.move(own, p.prefix().resolve("logs/own.log.1"));
            p.server().reopenLogs();
            post(p, "/own/2");
            assertThat(p.readFile("logs/own.log")).contains("too large body").hasLineCount(1);
            assertThat(p.readFile("logs/own.log.1")).hasLineCount(1);
        }
    }
}
