package dev.portico.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * The real client address from a trusted proxy's header: X-Real-IP, X-Forwarded-For (rightmost,
 * or with real_ip_recursive the rightmost untrusted), never from an untrusted peer; allow/deny
 * and $remote_addr see it, $realip_remote_addr keeps the peer.
 */
class RealIpTest {
    private static String answer(String realIp, String headers) {
        try (TestPortico p = TestPortico.start("events {}\nhttp {\n server { listen 127.0.0.1:8080; " + realIp
                 + " return 200 \"$remote_addr $realip_remote_addr\"; }\n}\n");
             RawHttp c = new RawHttp(p.port(8080))) {
            return c.send("GET / HTTP/1.1\r\nHost: a\r\n" + headers + "\r\n").readResponse(false).bodyText();
        }
    }

    static Stream<Arguments> cases() {
        return Stream.of(
            Arguments.of("set_real_ip_from 127.0.0.1;", "X-Real-IP: 203.0.113.7\r\n", "203.0.113.7 127.0.0.1"),
            Arguments.of("set_real_ip_from 127.0.0.0/8;", "X-Real-IP: 2001:db8::7\r\n", "2001:db8::7 127.0.0.1"),
            Arguments.of("set_real_ip_from 10.0.0.0/8;", "X-Real-IP: 203.0.113.7\r\n", "127.0.0.1 127.0.0.1"),
            Arguments.of("", "X-Real-IP: 203.0.113.7\r\n", "127.0.0.1 127.0.0.1"),
            Arguments.of("set_real_ip_from 127.0.0.1;", "X-Real-IP: not-an-address\r\n", "127.0.0.1 127.0.0.1"),
            Arguments.of("set_real_ip_from 127.0.0.1; real_ip_header X-Forwarded-For;",
                "X-Forwarded-For: 198.51.100.1, 203.0.113.7\r\n", "203.0.113.7 127.0.0.1"),
            Arguments.of("set_real_ip_from 127.0.0.1; set_real_ip_from 203.0.113.0/24; real_ip_header X-Forwarded-For;",
                "X-Forwarded-For: 198.51.100.1, 203.0.113.7\r\n", "203.0.113.7 127.0.0.1"),
            Arguments.of("set_real_ip_from 127.0.0.1; set_real_ip_from 203.0.113.0/24; real_ip_header X-Forwarded-For; "
                + "real_ip_recursive on;", "X-Forwarded-For: 198.51.100.1, 203.0.113.7\r\n", "198.51.100.1 127.0.0.1"),
            Arguments.of("set_real_ip_from 127.0.0.1; set_real_ip_from 203.0.113.0/24; real_ip_header X-Forwarded-For; "
                + "real_ip_recursive on;", "X-Forwarded-For: 198.51.100.1\r\nX-Forwarded-For: 203.0.113.7\r\n", "198.51.100.1 127.0.0.1"),
            // a spoofed leftmost entry does not help a client behind a trusted proxy
            Arguments.of("set_real_ip_from 127.0.0.1; real_ip_header X-Forwarded-For; real_ip_recursive on;",
                "X-Forwarded-For: 10.0.0.1, 198.51.100.9\r\n", "198.51.100.9 127.0.0.1"),
            Arguments.of("set_real_ip_from 127.0.0.1; real_ip_header X-Client;", "X-Client: 203.0.113.9\r\n", "203.0.113.9 127.0.0.1"));
    }

    @ParameterizedTest(name = "{0} with {1}")
    @MethodSource("cases")
    void theClientAddressComesFromATrustedProxysHeader(String realIp, String headers, String expected) {
        assertThat(answer(realIp, headers)).isEqualTo(expected);
    }

    @Test
    void allowAndDenySeeTheRealAddress() {
        try (TestPortico p = TestPortico.builder().conf("events {}\nhttp {\n server { listen 127.0.0.1:8080; root html;\n"
                + "  location / { set_real_ip_from 127.0.0.1; deny 203.0.113.7; allow all; } }\n}\n")
                 .file("html/index.html", "x\n").start()) {
            try (RawHttp c = new RawHttp(p.port(8080))) {
                assertThat(c.send("GET /index.html HTTP/1.1\r\nHost: a\r\nX-Real-IP: 203.0.113.7\r\n\r\n").readResponse(false).status())
                    .isEqualTo(403);
            }
            try (RawHttp c = new RawHttp(p.port(8080))) {
                assertThat(c.send("GET /index.html HTTP/1.1\r\nHost: a\r\nX-Real-IP: 203.0.113.8\r\n\r\n").readResponse(false).status())
                    .isEqualTo(200);
            }
        }
    }
}
