package dev.portico.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.portico.config.ConfigException;
import dev.portico.testing.TestPortico;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Config tier: what nginx refuses in listen, server_name and location, in nginx's words and with FILE:LINE. */
class HttpCoreConfigTest {

    private static String http(String servers) {
        return "events {}\nhttp {\n" + servers + "}\n";
    }

    static Stream<Arguments> errors() {
        return Stream.of(
            Arguments.of("two default servers on one address", http("""
                server { listen 127.0.0.1:8080 default_server; }
                server { listen 127.0.0.1:8080 default_server; }
                """), "a duplicate default server for 127.0.0.1:PORT8080 in FILE:4"),
            Arguments.of("socket options given twice", http("""
                server { listen 127.0.0.1:8080 backlog=10; }
                server { listen 127.0.0.1:8080 bind; }
                """), "duplicate listen options for 127.0.0.1:PORT8080 in FILE:4"),
            Arguments.of("one address twice in a server", http("""
                server {
                    listen 127.0.0.1:8080;
                    listen 127.0.0.1:8080;
                }
                """), "a duplicate listen 127.0.0.1:PORT8080 in FILE:5"),
            Arguments.of("port 0", http("server { listen 127.0.0.1:0; }\n"),
                "invalid port in \"127.0.0.1:0\" of the \"listen\" directive in FILE:3"),
            Arguments.of("a port too large", http("server { listen 99999999; }\n"),
                "invalid port in \"99999999\" of the \"listen\" directive in FILE:3"),
            Arguments.of("an unknown parameter", http("server { listen 127.0.0.1:8080 fast; }\n"),
                "invalid parameter \"fast\" in FILE:3"),
            Arguments.of("a TLS port without certificate", http("server { listen 127.0.0.1:8080 ssl; }\n"),
                "no \"ssl_certificate\" is defined for the \"listen ... ssl\" directive in FILE:3"),
            Arguments.of("quic", http("server { listen 127.0.0.1:8080 quic; }\n"),
                "the \"quic\" parameter requires ngx_http_v3_module in FILE:3"),
            Arguments.of("a bad backlog", http("server { listen 127.0.0.1:8080 backlog=many; }\n"),
                "invalid backlog \"many\" in FILE:3"),
            Arguments.of("a zero backlog", http("server { listen 127.0.0.1:8080 backlog=0; }\n"),
                "invalid backlog \"0\" in FILE:3"),
            Arguments.of("a bad sndbuf", http("server { listen 127.0.0.1:8080 sndbuf=x; }\n"), "invalid sndbuf \"x\" in FILE:3"),
            Arguments.of("ipv6only on an IPv4 address", http("server { listen 127.0.0.1:8080 ipv6only=on; }\n"),
                "ipv6only is not supported on addr \"127.0.0.1:PORT8080\", ignored in FILE:3"),
            Arguments.of("a bad ipv6only flag", http("server { listen [::1]:8080 ipv6only=yes; }\n"),
                "invalid ipv6only flags \"yes\" in FILE:3"),
            Arguments.of("a unix socket without path", http("server { listen unix:; }\n"),
                "no path in the unix domain socket in \"unix:\" of the \"listen\" directive in FILE:3"),
            Arguments.of("a lone star server name", http("server { server_name *; }\n"), "server name \"*\" is invalid in FILE:3"),
            Arguments.of("a star not followed by a dot", http("server { server_name *foo.com; }\n"),
                "server name \"*foo.com\" is invalid in FILE:3"),
            Arguments.of("a lone dot server name", http("server { server_name .; }\n"), "server name \".\" is invalid in FILE:3"),
            Arguments.of("an empty regex server name", http("server { server_name ~; }\n"),
                "empty regex in server name \"~\" in FILE:3"),
            Arguments.of("a star inside a server name", http("""
                server { listen 127.0.0.1:8080; server_name www.*.example.com; }
                server { listen 127.0.0.1:8080; server_name other; }
                """), "invalid server name or wildcard \"www.*.example.com\" on 127.0.0.1:PORT8080"),
            Arguments.of("two dots in a server name", http("""
                server { listen 127.0.0.1:8080; server_name a..b; }
                server { listen 127.0.0.1:8080; server_name other; }
                """), "invalid server name or wildcard \"a..b\" on 127.0.0.1:PORT8080"),
            Arguments.of("a nested location outside its parent", http("""
                server {
                    location /a/ {
                        location /b/ { }
                    }
                }
                """), "location \"/b/\" is outside location \"/a/\" in FILE:5"),
            Arguments.of("a prefix nested in a regex location", http("""
                server {
                    location ~ ^/a {
                        location /a/b { }
                    }
                }
                """), "location \"/a/b\" is outside location \"^/a\" in FILE:5"),
            Arguments.of("a prefix and a ^~ of the same name", http("""
                server {
                    location /a/ { }
                    location ^~ /a/ { }
                }
                """), "duplicate location \"/a/\" in FILE:5"),
            Arguments.of("a location inside an exact one", http("""
                server {
                    location = /a {
                        location /a/b { }
                    }
                }
                """), "location \"/a/b\" cannot be inside the exact location \"/a\" in FILE:5"),
            Arguments.of("a nested named location", http("""
                server {
                    location /a/ {
                        location @n { }
                    }
                }
                """), "named location \"@n\" can be on the server level only in FILE:5"),
            Arguments.of("a location inside a named one", http("""
                server {
                    location @n {
                        location /a { }
                    }
                }
                """), "location \"/a\" cannot be inside the named location \"@n\" in FILE:5"),
            Arguments.of("an unknown modifier", http("server { location ~~ /a { } }\n"),
                "invalid location modifier \"~~\" in FILE:3"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("errors")
    void nginxRefusesItWithTheSameMessage(String name, String conf, String expected) {
        TestPortico.Builder b = TestPortico.builder().conf(conf);
        ConfigException e = catchThrowableOfType(ConfigException.class, b::load);
        assertThat(e).as("configuration should be refused").isNotNull();
        String file = e.file() == null ? "" : e.file().toString();
        String port = Integer.toString(b.ports().get(8080));
        assertThat(e.getMessage()).isEqualTo(expected.replace("PORT8080", port).replace("FILE", file));
        if (expected.contains(" in FILE:")) {
            assertThat(file).endsWith("conf/nginx.conf");
        }
    }

    static Stream<Arguments> accepted() {
        return Stream.of(
            Arguments.of("an exact and a prefix location of the same name", http("""
                server { location = /a { } location /a { } }
                """)),
            Arguments.of("a bad wildcard on a server alone on its address (nginx never indexes its names)",
                http("server { listen 127.0.0.1:8080; server_name www.*.example.com; }\n")),
            Arguments.of("a prefix nested in a regex location that starts with the regex text", http("""
                server { location ~ /a/ { location /a/b { } } }
                """)),
            Arguments.of("options on one of several listens of an address", http("""
                server { listen 127.0.0.1:8080; }
                server { listen 127.0.0.1:8080 backlog=10 default_server; }
                """)),
            Arguments.of("every listen option", http("""
                server {
                    listen 127.0.0.1:8080 default_server bind backlog=100 rcvbuf=8k sndbuf=8k reuseport so_keepalive=on deferred;
                    listen [::1]:8080 ipv6only=off;
                    listen unix:/tmp/portico-config-test.sock;
                    listen 8081;
                    listen *:8082;
                    listen localhost:8083;
                }
                """)),
            Arguments.of("a named capture used before the regex that defines it", http("""
                server { return 200 "$later"; location ~ ^/(?<later>.+)$ { } }
                """)),
            Arguments.of("a server without server_name beside named ones", http("""
                server { listen 127.0.0.1:8080; }
                server { listen 127.0.0.1:8080; server_name $hostname .example.com *.example.org www.example.* ~^(?<n>.+)$; }
                """)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("accepted")
    void nginxAcceptsIt(String name, String conf) {
        assertThatCode(() -> TestPortico.load(conf)).doesNotThrowAnyException();
    }
}
