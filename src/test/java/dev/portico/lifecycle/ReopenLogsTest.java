package dev.portico.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** SIGUSR1 / -s reopen: after logrotate renames the log, writing moves to a new file of the old name. */
class ReopenLogsTest {
    private static final String CONF = """
        error_log logs/error.log info;
        events {}
        http {
            client_max_body_size 10;
            server { listen 127.0.0.1:18080; location / { return 200 "ok\\n"; } }
        }
        """;

    /** Something that logs an [error]: a body over client_max_body_size. */
    private static void tooLarge(TestPortico p, String marker) {
        try (RawHttp c = new RawHttp(p.port(18080))) {
            RawHttp.Response r = c.send("POST /" + marker + " HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n").readResponse(false);
            assertThat(r.status()).isEqualTo(413);
        }
    }

    @Test
    void writingMovesToANewFileAfterRename() throws Exception {
        try (TestPortico p = TestPortico.start(CONF)) {
            Path log = p.prefix().resolve("logs/error.log");
            Path rotated = p.prefix().resolve("logs/error.log.1");
            tooLarge(p, "before-rotation");
            Files.move(log, rotated);
            tooLarge(p, "after-rename");
            p.server().reopenLogs();
            tooLarge(p, "after-reopen");

            String old = Files.readString(rotated);
            String current = Files.readString(log);
            assertThat(old).contains("/before-rotation", "/after-rename", "reopening logs").doesNotContain("/after-reopen");
            assertThat(current).contains("[error]", "client intended to send too large body: 100 bytes", "/after-reopen")
                .doesNotContain("/before-rotation");
        }
    }
}
