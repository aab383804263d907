package dev.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portico.config.ConfigException;
import dev.portico.testing.TestCertificates;
import dev.portico.testing.TestPortico;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Configuration tier of the proxy_ssl_* family: nginx's checks and words, with FILE:LINE. */
class UpstreamTlsConfigTest {
    private static String http(String body) {
        return "events {}\nhttp {\n" + body + "\n}\n";
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
        "server { location / { proxy_pass https://127.0.0.1; proxy_ssl_verify on; } }                     | no proxy_ssl_trusted_certificate for proxy_ssl_verify | 3",
        "server { location / { proxy_pass http://$host; proxy_ssl_verify on; } }                          | no proxy_ssl_trusted_certificate for proxy_ssl_verify | 3",
        "server { location / { proxy_pass https://127.0.0.1; proxy_ssl_certificate c.crt; } }              | no \"proxy_ssl_certificate_key\" is defined for certificate \"c.crt\" | 3",
        "server { location / { proxy_pass https://127.0.0.1; proxy_ssl_certificate $host.crt; } }         | no \"proxy_ssl_certificate_key\" is defined for certificate \"$host.crt\" | 3",
        "proxy_ssl_certificate_cache max=0;                                                               | invalid parameter \"max=0\" | 3",
        "proxy_ssl_certificate_cache max=10 inactive=soon;                                                | invalid parameter \"inactive=soon\" | 3",
        "proxy_ssl_certificate_cache max=10 valid=500ms;                                                  | invalid parameter \"valid=500ms\" | 3",
        "proxy_ssl_certificate_cache max=10 size=1m;                                                      | invalid parameter \"size=1m\" | 3",
        "proxy_ssl_certificate_cache valid=1m;                                                            | \"proxy_ssl_certificate_cache\" must have the \"max\" parameter | 3",
        "proxy_ssl_certificate_cache off; proxy_ssl_certificate_cache max=5;                              | \"proxy_ssl_certificate_cache\" directive is duplicate | 3",
        "proxy_ssl_certificate_cache max=1 inactive=1s valid=1s off;                                      | invalid number of arguments in \"proxy_ssl_certificate_cache\" directive | 3",
        "server { location / { proxy_ssl_certificate_key engine:pkcs11:key; } }                           | loading \"engine:...\" certificate keys is not supported | 3",
        "proxy_ssl_protocols TLSv1.2 TLSv1.4;                                                             | invalid value \"TLSv1.4\" | 3",
        "proxy_ssl_verify maybe;                                                                          | invalid value \"maybe\" in \"proxy_ssl_verify\" directive, it must be \"on\" or \"off\" | 3",
        "proxy_ssl_verify_depth deep;                                                                     | \"proxy_ssl_verify_depth\" directive invalid number | 3",
        "proxy_ssl_name a b;                                                                              | invalid number of arguments in \"proxy_ssl_name\" directive | 3",
        "proxy_ssl_server_name on; proxy_ssl_server_name off;                                             | \"proxy_ssl_server_name\" directive is duplicate | 3",
        "proxy_ssl_conf_command Options PrioritizeChaCha;                                                 | \"proxy_ssl_conf_command\" directive is not supported on this platform: BoringSSL (and the JDK's TLS engine) has no OpenSSL configuration commands | 3",
    })
    void badSettingsAreRefusedWithNginxWording(String body, String message, int line) {
        assertThatThrownBy(() -> TestPortico.load(http(body)))
            .isInstanceOf(ConfigException.class)
            .satisfies(e -> {
                ConfigException ce = (ConfigException) e;
                assertThat(ce.bareMessage()).isEqualTo(message);
                assertThat(ce.getMessage()).endsWith("nginx.conf:" + line);
            });
    }

    @Test
    void anUnknownVariableInACertificatePathIsRefused() {
        // nginx names no file or line for an unknown variable
        assertThatThrownBy(() -> TestPortico.load(http("server { location / { proxy_ssl_certificate $nope.crt; } }")))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("unknown \"nope\" variable");
    }

    @Test
    void filesAreReadWhenTheConfigurationLoads() {
        assertThatThrownBy(() -> TestPortico.load(http(
            "server { location / { proxy_pass https://127.0.0.1; proxy_ssl_verify on; proxy_ssl_trusted_certificate missing.pem; } }")))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("SSL_CTX_load_verify_locations(\"")
            .hasMessageContaining("missing.pem\") failed (2: No such file or directory)");
        assertThatThrownBy(() -> TestPortico.builder().conf(http(
                "server { location / { proxy_pass https://127.0.0.1; proxy_ssl_verify on; proxy_ssl_trusted_certificate empty.pem; } }"))
                .file("conf/empty.pem", "nothing here\n").load())
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("empty.pem\") failed (no certificate or crl found)");
        assertThatThrownBy(() -> TestPortico.load(http(
            "server { location / { proxy_pass https://127.0.0.1; proxy_ssl_ciphers NO-SUCH-CIPHER; } }")))
            .isInstanceOf(ConfigException.class)
            .hasMessageStartingWith("SSL_CTX_set_cipher_list(\"NO-SUCH-CIPHER\") failed");
        assertThatThrownBy(() -> TestPortico.load(http(
            "server { location / { proxy_pass https://127.0.0.1; proxy_ssl_certificate c.crt; proxy_ssl_certificate_key c.key; } }")))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("cannot load certificate \"")
            .hasMessageContaining("c.crt\": BIO_new_file() failed (2: No such file or directory)");
    }

    @Test
    void certificatesNamedWithVariablesAreReadPerRequestSoTheLoadReadsNone() throws Exception {
        // nothing under these names exists: the files are the requests' business
        assertThat(TestPortico.load(http("""
            proxy_ssl_certificate_cache max=1000 inactive=20s valid=1m;
            server {
                location / {
                    proxy_pass https://127.0.0.1;
                    proxy_ssl_certificate certs/$host.crt;
                    proxy_ssl_certificate_key certs/$host.key;
                }
                location /inline {
                    proxy_pass https://127.0.0.1;
                    proxy_ssl_certificate certs/$host.crt;
                    proxy_ssl_certificate_key data:$not-a-variable;
                    proxy_ssl_certificate_cache off;
                }
            }
            """))).isNotNull();
    }

    @Test
    void aHealthCheckCannotPresentACertificateNamedWithVariables() {
        assertThatThrownBy(() -> TestPortico.load(http("""
            upstream objects { server 127.0.0.1:17091; }
            server {
                location / {
                    proxy_pass https://objects;
                    proxy_ssl_certificate certs/$host.crt;
                    proxy_ssl_certificate_key certs/$host.key;
                    health_check;
                }
            }
            """)))
            .isInstanceOf(ConfigException.class)
            .hasMessageStartingWith("a health check cannot present a client certificate named with variables (\"proxy_ssl_certificate\")")
            .hasMessageEndingWith("nginx.conf:9");
    }

    @Test
    void aKeyOfAnotherTypeThanItsCertificateIsRefused() {
        TestCertificates ca = new TestCertificates();
        assertThatThrownBy(() -> TestPortico.builder().conf(http(
                "server { location / { proxy_pass https://127.0.0.1; proxy_ssl_certificate c.crt; proxy_ssl_certificate_key c.key; } }"))
                .file("conf/c.crt", ca.rsa("c").chainPem()).file("conf/c.key", ca.ecdsa("c").traditionalKeyPem(null)).load())
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("SSL_CTX_use_PrivateKey(\"c.key\") failed (key values mismatch)");
    }

    @Test
    void nothingIsCheckedForPlainHttpBackendsAsInNginx() throws Exception {
        // the trusted file is needed only where an https backend can be reached
        assertThat(TestPortico.load(http("proxy_ssl_verify on;\nserver { location / { proxy_pass http://127.0.0.1; } }"))).isNotNull();
    }

    @Test
    void everyDirectiveIsAcceptedWhereNginxTakesIt() throws Exception {
        TestCertificates ca = new TestCertificates();
        TestCertificates.Issued client = ca.rsa("client");
        String conf = http("""
            proxy_ssl_protocols TLSv1.2 TLSv1.3;
            proxy_ssl_ciphers HIGH:!aNULL;
            proxy_ssl_session_reuse off;
            server {
                proxy_ssl_verify on;
                proxy_ssl_trusted_certificate ca.pem;
                proxy_ssl_verify_depth 2;
                proxy_ssl_crl ca.crl;
                location / {
                    proxy_pass https://127.0.0.1:8443;
                    proxy_ssl_server_name on;
                    proxy_ssl_name $host;
                    proxy_ssl_certificate client.crt;
                    proxy_ssl_certificate_key client.key;
                    proxy_ssl_password_file passwords;
                }
            }
            """);
        assertThat(TestPortico.builder().conf(conf).file("conf/ca.pem", ca.caPem()).file("conf/ca.crl", ca.crlPem())
            .file("conf/client.crt", client.chainPem()).file("conf/client.key", client.encryptedPkcs8("s3cret"))
            .file("conf/passwords", "wrong\ns3cret\n").load()).isNotNull();
    }
}
