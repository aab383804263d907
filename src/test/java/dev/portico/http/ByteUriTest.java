package dev.portico.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Locations, regexes and files see the URI as bytes, as nginx does: the configuration is read
 * as bytes too, so a UTF-8 "é" in a location is the two bytes C3 A9, a regex "." is one byte,
 * and an invalid UTF-8 escape is a byte like any other. Requests are ISO-8859-1 strings
 * ("\u00c3\u00a9" is the raw UTF-8 of "é").
 */
class ByteUriTest {
    private static final String CONF = """
        events {}
        http {
          server {
            listen 127.0.0.1:8080;
            root html;
            location /caf\u00e9 { return 200 "prefix-cafe"; }
            location ~ ^/one/.$ { return 200 "one-byte"; }
            location ~* ^/ci/[a-z]\u00e9$ { return 200 "caseless"; }
            location /files/ { }
            location / { return 200 "fallback"; }
          }
        }
        """;

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        UTF-8 prefix, escaped             | /caf%C3%A9                 | 200 | prefix-cafe
        UTF-8 prefix, raw bytes           | /caf\u00c3\u00a9           | 200 | prefix-cafe
        Latin-1 byte is not the prefix    | /caf%E9                    | 200 | fallback
        dot matches an invalid byte       | /one/%ff                   | 200 | one-byte
        dot matches 0x85 (not a newline)  | /one/%85                   | 200 | one-byte
        dot is one byte, not a character  | /one/%C3%A9                | 200 | fallback
        caseless folds ASCII only         | /ci/X%C3%A9                | 200 | caseless
        caseless keeps non-ASCII bytes    | /ci/x%C3%89                | 200 | fallback
        a UTF-8 file name                 | /files/caf%C3%A9.txt       | 200 | utf-8 name
        a file name that is not UTF-8     | /files/caf%E9.txt          | 404 |
        """)
    void theUriIsMatchedAsBytes(String what, String target, int status, String body) {
        try (TestPortico p = TestPortico.builder().conf(CONF).file("html/files/caf\u00e9.txt", "utf-8 name").start();
             RawHttp c = new RawHttp(p.port(8080))) {
            RawHttp.Response r = c.send("GET " + target + " HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false);
            assertThat(r.status()).isEqualTo(status);
            if (body != null) {
                assertThat(r.bodyText()).isEqualTo(body);
            }
        }
    }
}
