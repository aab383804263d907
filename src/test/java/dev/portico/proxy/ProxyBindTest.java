package dev.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portico.config.ConfigException;
import dev.portico.testing.PortMap;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * proxy_bind: connections to the backend come from the address given (a literal, with an optional
 * port, or built from variables; an empty value binds nothing, one that is no address is logged
 * "invalid local address" and binds nothing); "off" cancels an inherited one; a bind() the system
 * refuses fails the request with 500 ("bind(...) failed" at crit), as nginx; "transparent" sets
 * IP_TRANSPARENT first, which needs CAP_NET_ADMIN ("setsockopt(IP_TRANSPARENT) failed" otherwise).
 * The backend is a server of the same Portico that answers with the client address it saw.
 */
class ProxyBindTest {
    private static final int LOCAL_PORT = PortMap.freePort();

    private static final String CONF = """
        events {}
        http {
            server { listen 127.0.0.1:17081; return 200 "$remote_addr"; }
            server {
                listen 127.0.0.1:8080;
                proxy_bind 127.0.0.2;
                location / { proxy_pass http://127.0.0.1:17081; }
                location /port { proxy_pass http://127.0.0.1:17081; proxy_bind 127.0.0.3:LOCAL_PORT; }
                location /var { proxy_pass http://127.0.0.1:17081; proxy_bind $arg_src; }
                location /off { proxy_pass http://127.0.0.1:17081; proxy_bind off; }
                location /foreign { proxy_pass http://127.0.0.1:17081; proxy_bind 192.0.2.1; }
                location /transparent { proxy_pass http://127.0.0.1:17081; proxy_bind 127.0.0.5 transparent; }
            }
        }
        """.replace("LOCAL_PORT", Integer.toString(LOCAL_PORT));

    private static RawHttp.Response get(TestPortico p, String uri) {
        try (RawHttp c = new RawHttp(p.port(8080))) {
            return c.send("GET " + uri + " HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false);
        }
    }

    @Test
    void connectionsComeFromTheBoundAddress() {
        try (TestPortico p = TestPortico.start(CONF)) {
            assertThat(get(p, "/").bodyText()).isEqualTo("127.0.0.2");
            assertThat(get(p, "/port").bodyText()).isEqualTo("127.0.0.3");
            assertThat(get(p, "/var?src=127.0.0.4").bodyText()).isEqualTo("127.0.0.4");
            assertThat(get(p, "/var").bodyText()).isEqualTo("127.0.0.1");
            assertThat(get(p, "/var?src=bogus").bodyText()).isEqualTo("127.0.0.1");
            assertThat(p.errorLog()).contains("invalid local address \"bogus\"");
            assertThat(get(p, "/off").bodyText()).isEqualTo("127.0.0.1");
        }
    }

    @Test
    void aRefusedBindIsA500() {
        try (TestPortico p = TestPortico.start(CONF)) {
            assertThat(get(p, "/foreign").status()).isEqualTo(500);
            assertThat(p.errorLog()).contains("[crit]").contains("bind(192.0.2.1) failed (99: Cannot assign requested address)"
                + " while connecting to upstream");
        }
    }

    @Test
    void transparentNeedsCapNetAdmin() throws Exception {
        try (TestPortico p = TestPortico.start(CONF)) {
            RawHttp.Response r = get(p, "/transparent");
            if (hasCapNetAdmin()) {
                assertThat(r.bodyText()).isEqualTo("127.0.0.5");
            } else {
                assertThat(r.status()).isEqualTo(500);
                assertThat(p.errorLog()).contains("[alert]").contains("setsockopt(IP_TRANSPARENT) failed (1: Operation not permitted)");
            }
        }
    }

    /** CAP_NET_ADMIN (bit 12) among the process's effective capabilities. */
    private static boolean hasCapNetAdmin() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("CapEff:")) {
                return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & (1L << 12)) != 0;
            }
        }
        return false;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "proxy_bind 127.0.0.1 sideways;          | invalid parameter \"sideways\"",
        "proxy_bind example.com;                 | invalid address \"example.com\"",
        "proxy_bind 127.0.0.2:70000;             | invalid address \"127.0.0.2:70000\"",
        "proxy_bind 127.0.0.1; proxy_bind off;   | \"proxy_bind\" directive is duplicate",
    })
    void badValuesAreRefused(String directive, String message) {
        assertThatThrownBy(() -> TestPortico.load("events {}\nhttp { " + directive + " }\n"))
            .isInstanceOf(ConfigException.class)
            .satisfies(e -> assertThat(((ConfigException) e).bareMessage()).isEqualTo(message));
    }
}
