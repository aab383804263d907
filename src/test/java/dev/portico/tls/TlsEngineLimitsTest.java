package dev.portico.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portico.config.ConfigException;
import dev.portico.testing.Launcher;
import dev.portico.testing.TestCertificates;
import dev.portico.testing.TestPortico;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What nginx's OpenSSL offers and neither of Portico's engines can: TLS 1.3 early data and
 * OpenSSL configuration commands. {@code ssl_early_data off} (nginx's default) is accepted;
 * {@code on} and the {@code *ssl_conf_command} directives are refused when the configuration
 * loads, with the file, the line and the reason, never taken as unknown or ignored.
 */
class TlsEngineLimitsTest {
    private static final String EARLY_DATA = "\"ssl_early_data on\" is not supported: the TLS engine does not offer TLS 1.3 0-RTT";

    private static String confCommand(String name) {
        return "\"" + name + "\" directive is not supported on this platform: BoringSSL (and the JDK's TLS engine)"
            + " has no OpenSSL configuration commands";
    }

    private static String http(String body) {
        return "events {}\nhttp {\n" + body + "\n}\n";
    }

    @TempDir
    Path prefix;

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "ssl_early_data on;                                                       | EARLY_DATA",
        "server { ssl_early_data on; }                                            | EARLY_DATA",
        "ssl_conf_command Options PrioritizeChaCha;                               | ssl_conf_command",
        "server { ssl_conf_command Ciphersuites TLS_CHACHA20_POLY1305_SHA256; }   | ssl_conf_command",
        "proxy_ssl_conf_command Options PrioritizeChaCha;                         | proxy_ssl_conf_command",
        "server { location / { proxy_ssl_conf_command Options -SessionTicket; } } | proxy_ssl_conf_command",
        "ssl_early_data maybe;                                                    | invalid value \"maybe\" in \"ssl_early_data\" directive, it must be \"on\" or \"off\"",
        "ssl_early_data off; ssl_early_data off;                                  | \"ssl_early_data\" directive is duplicate",
        "server { location / { ssl_early_data off; } }                            | \"ssl_early_data\" directive is not allowed here",
        "ssl_conf_command Options;                                                | invalid number of arguments in \"ssl_conf_command\" directive",
    })
    void refusedWithFileLineAndReason(String body, String expected) {
        String message = switch (expected) {
            case "EARLY_DATA" -> EARLY_DATA;
            case "ssl_conf_command", "proxy_ssl_conf_command" -> confCommand(expected);
            default -> expected;
        };
        assertThatThrownBy(() -> TestPortico.load(http(body)))
            .isInstanceOf(ConfigException.class)
            .satisfies(e -> {
                ConfigException ce = (ConfigException) e;
                assertThat(ce.bareMessage()).isEqualTo(message);
                assertThat(ce.getMessage()).endsWith("nginx.conf:3");
            });
    }

    @Test
    void earlyDataOffIsNginxsDefaultAndServesWithAnEmptyVariable() throws Exception {
        TestCertificates certs = new TestCertificates();
        TestCertificates.Issued site = certs.rsa("localhost", "localhost");
        String conf = """
            events {}
            http {
              ssl_early_data off;
              server {
                listen 127.0.0.1:8443 ssl;
                ssl_certificate site.crt;
                ssl_certificate_key site.key;
                ssl_early_data off;
                location / { return 200 "early [$ssl_early_data] $ssl_protocol\\n"; }
              }
            }
            """;
        try (TestPortico p = TestPortico.builder().conf(conf).file("conf/site.crt", site.chainPem())
            .file("conf/site.key", site.keyPem()).start()) {
            HttpClient client = HttpClient.newBuilder().sslContext(certs.clientContext()).build();
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + p.port(8443) + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
            assertThat(r.body()).isEqualTo("early [] TLSv1.3\n");
        }
    }

    @Test
    void testingTheConfigurationShowsTheRefusalWithItsFileAndLine() throws Exception {
        Path conf = Files.createDirectories(prefix.resolve("conf")).resolve("nginx.conf");
        Files.writeString(conf, "events {}\nhttp {\n    server {\n        ssl_early_data on;\n    }\n}\n");
        Launcher.Result early = Launcher.run("-p", prefix.toString(), "-c", "conf/nginx.conf", "-t");
        assertThat(early.exit()).isEqualTo(1);
        assertThat(early.stderrLines()).containsExactly(
            "portico: [emerg] " + EARLY_DATA + " in " + conf + ":4",
            "portico: configuration file " + conf + " test failed");

        Files.writeString(conf, "events {}\nhttp {\n    proxy_ssl_conf_command Options PrioritizeChaCha;\n}\n");
        Launcher.Result command = Launcher.run("-p", prefix.toString(), "-c", "conf/nginx.conf", "-t");
        assertThat(command.exit()).isEqualTo(1);
        assertThat(command.stderrLines()).containsExactly(
            "portico: [emerg] " + confCommand("proxy_ssl_conf_command") + " in " + conf + ":3",
            "portico: configuration file " + conf + " test failed");
    }
}
