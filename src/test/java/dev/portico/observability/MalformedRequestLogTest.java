package dev.portico.observability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A request the parser refuses still gets its access-log line, as in nginx: the status, and
 * {@code $request} as received (up to the first CR or LF when the request line itself is bad),
 * escaped as every logged value is (checked against nginx 1.22 for the cases both refuse).
 * Strings are ISO-8859-1: "\u00ff" is the byte 0xFF.
 */
class MalformedRequestLogTest {
    private static final String CONF = "events {}\nhttp {\n log_format f '$status \"$request\"';\n"
        + " server { listen 127.0.0.1:8080; access_log logs/f.log f; location / { return 204; } }\n}\n";

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        control byte in the target   | GET /a\u0001b HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n              | 400 "GET /a\\x01b HTTP/1.1"
        invalid method               | G\u00ffT /x HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n                | 400 "G\\xFFT /x HTTP/1.1"
        two spaces (Portico refuses) | GET  /"q\\ HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n               | 400 "GET  /\\x22q\\x5C HTTP/1.1"
        a bare CR ends nothing       | GET /\u00e9 HTTP/1.1\\rHost: a\\r\\n\\r\\n                   | 400 "GET /\\xE9 HTTP/1.1"
        bad header line              | GET /ok HTTP/1.1\\r\\nHost: a\\r\\nBad Name: x\\r\\n\\r\\n    | 400 "GET /ok HTTP/1.1"
        HTTP/2.0 on HTTP/1 framing   | GET /v HTTP/2.0\\r\\nHost: a\\r\\n\\r\\n                     | 505 "GET /v HTTP/2.0"
        """)
    void aRefusedRequestIsLoggedAsReceived(String what, String request, String line) {
        try (TestPortico p = TestPortico.start(CONF); RawHttp c = new RawHttp(p.port(8080))) {
            c.send(request.replace("\\r", "\r").replace("\\n", "\n"));
            assertThat(c.readResponse(false).status()).isEqualTo(Integer.parseInt(line.substring(0, 3)));
            Path log = p.prefix().resolve("logs/f.log");
            assertThat(LogAwait.lines(log, 1)).containsExactly(line);
        }
    }
}
