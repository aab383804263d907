package dev.portico.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** geo through sockets: the most specific CIDR wins, ranges, delete, include, a variable as the source, trusted proxies. */
class GeoTest {
    private static String value(String geo, String headers) {
        try (TestPortico p = TestPortico.builder().conf("events {}\nhttp {\n" + geo + "\n"
                 + " server { listen 127.0.0.1:8080; return 200 \"$g\"; }\n}\n")
                 .file("conf/nets.conf", "10.0.0.0/8 ten;\n").start();
             RawHttp c = new RawHttp(p.port(8080))) {
            return c.send("GET /?ip=203.0.113.9 HTTP/1.1\r\nHost: a\r\n" + headers + "\r\n").readResponse(false).bodyText();
        }
    }

    static Stream<Arguments> cases() {
        return Stream.of(
            Arguments.of("geo $g { default none; 127.0.0.1 me; }", "", "me"),
            Arguments.of("geo $g { default none; 127.0.0.0/8 loop; 127.0.0.1/32 me; }", "", "me"),
            Arguments.of("geo $g { default none; 127.0.0.1/32 me; 127.0.0.0/8 loop; }", "", "me"),
            Arguments.of("geo $g { default none; 127.0.0.0/8 loop; }", "", "loop"),
            Arguments.of("geo $g { default none; 10.0.0.0/8 ten; }", "", "none"),
            Arguments.of("geo $g { 10.0.0.0/8 ten; }", "", ""),
            Arguments.of("geo $g { default none; 127.0.0.0/8 loop; 127.0.0.0/8 later; }", "", "later"),
            Arguments.of("geo $g { default none; 127.0.0.0/8 loop; delete 127.0.0.0/8; }", "", "none"),
            Arguments.of("geo $g { default none; ranges; 127.0.0.0-127.0.0.255 low; 10.0.0.0-10.255.255.255 ten; }", "", "low"),
            Arguments.of("geo $g { default none; include nets.conf; 127.0.0.1 me; }", "", "me"),
            Arguments.of("geo $arg_ip $g { default none; 203.0.113.0/24 doc; }", "", "doc"),
            Arguments.of("geo $g { default none; proxy 127.0.0.1; 198.51.100.0/24 behind; }", "X-Forwarded-For: 198.51.100.7\r\n", "behind"),
            Arguments.of("geo $g { default none; 198.51.100.0/24 behind; }", "X-Forwarded-For: 198.51.100.7\r\n", "none"),
            Arguments.of("geo $g { default none; proxy 127.0.0.1; proxy 10.0.0.0/8; proxy_recursive; 198.51.100.0/24 behind; }",
                "X-Forwarded-For: 198.51.100.7, 10.1.1.1\r\n", "behind"),
            Arguments.of("geo $g { default none; ::1 v6; 127.0.0.1 v4; }", "", "v4"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void theEntryThatContainsTheAddressGivesTheValue(String geo, String headers, String expected) {
        assertThat(value(geo, headers)).isEqualTo(expected);
    }

    @Test
    void badEntriesAreRefused() {
        assertThat(catchThrowable(() -> TestPortico.load("events {}\nhttp { geo $g { 1.2.3.4/40 x; } }\n")))
            .hasMessageContaining("invalid parameter \"1.2.3.4/40\"");
        assertThat(catchThrowable(() -> TestPortico.load("events {}\nhttp { geo $g { ranges; 1.2.3.4 x; } }\n")))
            .hasMessageContaining("invalid range \"1.2.3.4\"");
        assertThat(catchThrowable(() -> TestPortico.load("events {}\nhttp { geo $g { a b c; } }\n")))
            .hasMessageContaining("invalid number of the geo parameters");
    }
}
