package dev.portico.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Virtual server selection by host name, in nginx's order of precedence. */
class ServerNameTest {
    private static TestPortico portico;

    @BeforeAll
    static void start() {
        portico = TestPortico.start("""
            events {}
            http {
                server { listen 127.0.0.1:8080; server_name _; return 200 "first\\n"; }
                server { listen 127.0.0.1:8080 default_server; server_name ""; return 200 "default\\n"; }
                server { listen 127.0.0.1:8080; server_name example.com www.example.com; return 200 "exact $request_uri\\n"; }
                server { listen 127.0.0.1:8080; server_name *.example.com; return 200 "leading wildcard\\n"; }
                server { listen 127.0.0.1:8080; server_name *.deep.example.com; return 200 "longer leading wildcard\\n"; }
                server { listen 127.0.0.1:8080; server_name www.example.*; return 200 "trailing wildcard\\n"; }
                server { listen 127.0.0.1:8080; server_name www.example.co.*; return 200 "longer trailing wildcard\\n"; }
                server { listen 127.0.0.1:8080; server_name .example.org; return 200 "dot form\\n"; }
                server {
                    listen 127.0.0.1:8080;
                    server_name ~^(?<user>[a-z]+)\\.users\\.test$ ~^(\\d+)\\.num\\.test$;
                    return 200 "regex user=$user 1=$1 host=$host server=$server_name\\n";
                }
                server { listen 127.0.0.1:8080; server_name ~\\.test$; return 200 "later regex\\n"; }
                server { listen 127.0.0.1:8080; server_name ~^Mixed\\.Case$; return 200 "caseless regex\\n"; }
                server { listen 127.0.0.1:8080; server_name *.regex-or-wildcard.test; return 200 "wildcard before regex\\n"; }

                server { listen 127.0.0.1:8081; return 200 "only server $host\\n"; }
            }
            """);
    }

    @AfterAll
    static void stop() {
        portico.close();
    }

    static Stream<Arguments> hosts() {
        return Stream.of(
            Arguments.of("example.com", "exact /"),
            Arguments.of("EXAMPLE.com", "exact /"),
            Arguments.of("example.com.", "exact /"),
            Arguments.of("example.com:8080", "exact /"),
            Arguments.of("www.example.com", "exact /"),
            Arguments.of("a.example.com", "leading wildcard"),
            Arguments.of("a.b.example.com", "leading wildcard"),
            Arguments.of("x.deep.example.com", "longer leading wildcard"),
            Arguments.of("www.example.net", "trailing wildcard"),
            Arguments.of("www.example.co.uk", "longer trailing wildcard"),
            Arguments.of("www.example", "default"),
            Arguments.of("example.org", "dot form"),
            Arguments.of("a.example.org", "dot form"),
            Arguments.of("alice.users.test", "regex user=alice 1=alice host=alice.users.test server=~^(?<user>[a-z]+)\\.users\\.test$"),
            Arguments.of("42.num.test", "regex user= 1=42 host=42.num.test server=~^(?<user>[a-z]+)\\.users\\.test$"),
            Arguments.of("other.test", "later regex"),
            Arguments.of("MIXED.case", "caseless regex"),
            Arguments.of("a.regex-or-wildcard.test", "wildcard before regex"),
            Arguments.of("unknown.net", "default"),
            Arguments.of("[::1]:8080", "default"),
            Arguments.of("127.0.0.1", "default"));
    }

    @ParameterizedTest(name = "Host: {0} -> {1}")
    @MethodSource("hosts")
    void hostHeaderSelectsTheServer(String host, String expected) {
        try (RawHttp c = new RawHttp(portico.port(8080))) {
            RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n").readResponse(false);
            assertThat(r.bodyText()).isEqualTo(expected + "\n");
        }
    }

    @Test
    void aRequestWithoutHostGoesToTheServerNamedEmpty() {
        try (RawHttp c = new RawHttp(portico.port(8080))) {
            assertThat(c.send("GET / HTTP/1.0\r\n\r\n").readResponse(false).bodyText()).isEqualTo("default\n");
        }
    }

    @Test
    void theHostOfAnAbsoluteTargetWinsOverTheHostHeader() {
        try (RawHttp c = new RawHttp(portico.port(8080))) {
            RawHttp.Response r = c.send("GET http://Example.COM:9/x?y HTTP/1.1\r\nHost: a.example.org\r\n\r\n").readResponse(false);
            assertThat(r.bodyText()).isEqualTo("exact /x?y\n");
        }
    }

    @Test
    void aServerAloneOnItsAddressTakesEveryName() {
        try (RawHttp c = new RawHttp(portico.port(8081))) {
            assertThat(c.send("GET / HTTP/1.1\r\nHost: Any.Name.\r\n\r\n").readResponse(false).bodyText())
                .isEqualTo("only server any.name\n");
        }
    }
}
