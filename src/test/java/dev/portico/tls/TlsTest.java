package dev.portico.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.portico.testing.Await;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestCertificates;
import dev.portico.testing.TestPortico;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TLS termination through real TLS clients (the JDK's HttpClient and SSLSocket) on both
 * engines: certificates chosen by SNI as nginx chooses servers, plain and TLS ports in one
 * server, nginx's answer to plain HTTP on a TLS port, RSA and ECDSA side by side, session
 * resumption, reloads with a renewed or a broken certificate.
 */
class TlsTest {
    private static final TestCertificates CERTS = new TestCertificates();
    private static final TestCertificates.Issued DEFAULT = CERTS.rsa("default.test", "localhost", "127.0.0.1");
    private static final TestCertificates.Issued EXAMPLE = CERTS.rsa("www.example.test", "*.wild.test");

    private static final String CONF = """
        error_log logs/error.log info;
        events {}
        http {
          ssl_certificate default.crt;
          ssl_certificate_key default.key;
          server {
            listen 127.0.0.1:8443 ssl default_server;
            listen 127.0.0.1:8080;
            server_name default.test;
            EXTRA
            location / { return 200 "default $scheme $https $ssl_protocol [$ssl_server_name] $host\\n"; }
          }
          server {
            listen 127.0.0.1:8443 ssl;
            server_name www.example.test *.wild.test ~^re\\d+\\.test$;
            ssl_certificate example.crt;
            ssl_certificate_key example.key;
            location / { return 200 "example [$ssl_server_name] $host\\n"; }
          }
        }
        """;

    @AfterEach
    void engineBack() {
        System.clearProperty("portico.tls.engine");
    }

    private static TestPortico start(String engine, String extra) {
        System.setProperty("portico.tls.engine", engine);
        return TestPortico.builder().conf(CONF.replace("EXTRA", extra))
            .file("conf/default.crt", DEFAULT.chainPem()).file("conf/default.key", DEFAULT.keyPem())
            .file("conf/example.crt", EXAMPLE.chainPem()).file("conf/example.key", EXAMPLE.traditionalKeyPem(null))
            .start();
    }

    /** A handshake to 127.0.0.1 with the given server name (null: none sent), trusting the test CA. */
    static SSLSocket connect(SSLContext client, int port, String serverName, String... protocols) throws Exception {
        SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", port);
        SSLParameters p = s.getSSLParameters();
        p.setServerNames(serverName == null ? List.of() : List.of(new SNIHostName(serverName)));
        if (protocols.length > 0) {
            p.setProtocols(protocols);
        }
        s.setSSLParameters(p);
        s.setSoTimeout(10_000);
        s.startHandshake();
        return s;
    }

    private static String subject(SSLSocket s) throws Exception {
        return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
    }

    private static String get(SSLSocket s, String host) {
        RawHttp.Response r = new RawHttp(s).send("GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n").readResponse(false);
        assertThat(r.status()).isEqualTo(200);
        return r.bodyText();
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void httpsAndPlainHttpFromOneServer(String engine) throws Exception {
        try (TestPortico p = start(engine, "")) {
            HttpClient client = HttpClient.newBuilder().sslContext(CERTS.clientContext()).build();
            HttpResponse<String> https = client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + p.port(8443) + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
            assertThat(https.body()).isEqualTo("default https on TLSv1.3 [localhost] localhost\n");
            HttpResponse<String> plain = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + p.port(8080) + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
            // not found on a plain connection: empty in a return text, as nginx renders it
            assertThat(plain.body()).isEqualTo("default http   [] 127.0.0.1\n");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void theCertificateIsThatOfTheServerTheNameSelects(String engine) throws Exception {
        try (TestPortico p = start(engine, "")) {
            SSLContext client = CERTS.clientContext();
            String[][] table = {
                {"www.example.test", "CN=www.example.test", "example [www.example.test] www.example.test\n"},
                {"a.wild.test", "CN=www.example.test", "example [a.wild.test] a.wild.test\n"},
                {"re42.test", "CN=www.example.test", "example [re42.test] re42.test\n"},
                {"other.test", "CN=default.test", "default https on TLSv1.3 [other.test] other.test\n"},
            };
            for (String[] row : table) {
                try (SSLSocket s = connect(CERTS.clientContext(), p.port(8443), row[0])) {
                    assertThat(subject(s)).as(row[0]).isEqualTo(row[1]);
                    assertThat(get(s, row[0])).as(row[0]).isEqualTo(row[2]);
                }
            }
            try (SSLSocket s = connect(client, p.port(8443), null)) {
                assertThat(subject(s)).isEqualTo("CN=default.test");
                // without SNI the Host header still routes, and $ssl_server_name is empty
                assertThat(get(s, "www.example.test")).isEqualTo("example [] www.example.test\n");
            }
        }
    }

    @Test
    void plainHttpToTheTlsPortGetsNginxsAnswer() throws Exception {
        try (TestPortico p = start("openssl", "")) {
            try (RawHttp c = new RawHttp(p.port(8443))) {
                String all = c.send("GET /x HTTP/1.1\r\nHost: a\r\n\r\n").readUntilClose(5000);
                assertThat(all).startsWith("HTTP/1.1 400 Bad Request\r\n")
                    .contains("<center>The plain HTTP request was sent to HTTPS port</center>");
            }
            Await.until(Duration.ofSeconds(5), "the log line", () -> p.errorLog().contains("client sent plain HTTP request to HTTPS port"));
        }
        try (TestPortico p = start("openssl", "error_page 497 https://$host:8443$request_uri;")) {
            try (RawHttp c = new RawHttp(p.port(8443))) {
                RawHttp.Response r = c.send("GET /x?y=1 HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false);
                assertThat(r.status()).isEqualTo(302);
                assertThat(r.header("Location")).isEqualTo("https://a:8443/x?y=1");
            }
        }
    }

    @Test
    void rsaAndEcdsaCertificatesAreChosenByWhatTheClientSupports() throws Exception {
        TestCertificates.Issued ec = CERTS.ecdsa("www.example.test");
        System.setProperty("portico.tls.engine", "openssl");
        try (TestPortico p = TestPortico.builder().conf(CONF.replace("EXTRA", "")
                .replace("ssl_certificate_key example.key;", "ssl_certificate_key example.key;\n ssl_certificate ec.crt; ssl_certificate_key ec.key;"))
            .file("conf/default.crt", DEFAULT.chainPem()).file("conf/default.key", DEFAULT.keyPem())
            .file("conf/example.crt", EXAMPLE.chainPem()).file("conf/example.key", EXAMPLE.keyPem())
            .file("conf/ec.crt", ec.chainPem()).file("conf/ec.key", ec.traditionalKeyPem(null)).start()) {
            SSLContext client = CERTS.clientContext();
            for (String[] row : new String[][] {{"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "EC"}, {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "RSA"}}) {
                SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", p.port(8443));
                SSLParameters params = s.getSSLParameters();
                params.setServerNames(List.of(new SNIHostName("www.example.test")));
                params.setProtocols(new String[] {"TLSv1.2"});
                params.setCipherSuites(new String[] {row[0]});
                s.setSSLParameters(params);
                s.startHandshake();
                assertThat(s.getSession().getPeerCertificates()[0].getPublicKey().getAlgorithm()).isEqualTo(row[1]);
                s.close();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void protocolsAndCiphersAreTheConfiguredOnes(String engine) throws Exception {
        try (TestPortico p = start(engine, "ssl_protocols TLSv1.2; ssl_ciphers ECDHE-RSA-AES256-GCM-SHA384;"
            + " location = /c { return 200 \"$ssl_protocol $ssl_cipher\"; }")) {
            SSLContext client = CERTS.clientContext();
            try (SSLSocket s = connect(client, p.port(8443), "default.test")) {
                RawHttp.Response r = new RawHttp(s).send("GET /c HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false);
                assertThat(r.bodyText()).isEqualTo("TLSv1.2 ECDHE-RSA-AES256-GCM-SHA384");
            }
            assertThat(catchThrowable(() -> connect(client, p.port(8443), "default.test", "TLSv1.3").close()))
                .isInstanceOf(SSLException.class);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void sessionsAreResumed(String engine) throws Exception {
        try (TestPortico p = start(engine, "ssl_session_cache shared:SSL:1m; location = /r { return 200 $ssl_session_reused; }")) {
            SSLContext client = CERTS.clientContext();
            for (String protocol : new String[] {"TLSv1.2", "TLSv1.3"}) {
                List<String> seen = new java.util.ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    try (SSLSocket s = connect(client, p.port(8443), "default.test", protocol)) {
                        seen.add(new RawHttp(s).send("GET /r HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false).bodyText());
                    }
                }
                assertThat(seen).as(protocol).containsExactly(".", "r", "r");
            }
        }
    }

    @Test
    void rejectHandshakeRefusesUnknownNames() throws Exception {
        System.setProperty("portico.tls.engine", "openssl");
        try (TestPortico p = TestPortico.builder().conf("""
                events {}
                http {
                  server { listen 127.0.0.1:8443 ssl default_server; ssl_reject_handshake on; }
                  server {
                    listen 127.0.0.1:8443 ssl; server_name www.example.test;
                    ssl_certificate example.crt; ssl_certificate_key example.key;
                    location / { return 200 ok; }
                  }
                }
                """).file("conf/example.crt", EXAMPLE.chainPem()).file("conf/example.key", EXAMPLE.keyPem()).start()) {
            SSLContext client = CERTS.clientContext();
            try (SSLSocket s = connect(client, p.port(8443), "www.example.test")) {
                assertThat(subject(s)).isEqualTo("CN=www.example.test");
            }
            // fresh client contexts: the JDK resends a cached session's server name when it resumes one
            assertThatThrownBy(() -> connect(CERTS.clientContext(), p.port(8443), "unknown.test").close())
                .isInstanceOf(java.io.IOException.class);
            assertThatThrownBy(() -> connect(CERTS.clientContext(), p.port(8443), null).close()).isInstanceOf(java.io.IOException.class);
        }
    }

    @Test
    void aRenewedCertificateIsServedAfterAReloadAndABrokenOneIsRefused() throws Exception {
        try (TestPortico p = start("openssl", "")) {
            SSLContext client = CERTS.clientContext();
            TestCertificates.Issued renewed = CERTS.rsa("www.example.test", "*.wild.test");
            p.writeFile("conf/example.crt", renewed.chainPem());
            p.writeFile("conf/example.key", renewed.keyPem());
            assertThat(p.reload(CONF.replace("EXTRA", ""))).isNull();
            try (SSLSocket s = connect(client, p.port(8443), "www.example.test")) {
                assertThat(((X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber())
                    .isEqualTo(renewed.cert().getSerialNumber());
            }
            p.writeFile("conf/example.crt", "not a certificate\n");
            String error = p.reload(CONF.replace("EXTRA", ""));
            assertThat(error).contains("cannot load certificate").contains("conf/nginx.conf:13");
            try (SSLSocket s = connect(client, p.port(8443), "www.example.test")) {
                assertThat(((X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber())
                    .isEqualTo(renewed.cert().getSerialNumber());
            }
        }
    }

    @Test
    void encryptedKeysAreReadWithThePasswordFile() throws Exception {
        System.setProperty("portico.tls.engine", "openssl");
        String conf = "events {}\nhttp { server { listen 127.0.0.1:8443 ssl; ssl_certificate a.crt; ssl_certificate_key a.key;"
            + " ssl_certificate b.crt; ssl_certificate_key b.key; ssl_password_file pw; location / { return 200 ok; } } }\n";
        TestCertificates.Issued a = CERTS.rsa("a.test");
        TestCertificates.Issued b = CERTS.ecdsa("a.test");
        try (TestPortico p = TestPortico.builder().conf(conf).file("conf/pw", "wrong\nsecond secret\n")
            .file("conf/a.crt", a.chainPem()).file("conf/a.key", a.traditionalKeyPem("second secret"))
            .file("conf/b.crt", b.chainPem()).file("conf/b.key", b.encryptedPkcs8("second secret")).start()) {
            try (SSLSocket s = connect(CERTS.clientContext(), p.port(8443), "a.test")) {
                assertThat(get(s, "a.test")).isEqualTo("ok");
            }
        }
        assertThat(catchThrowable(() -> TestPortico.builder().conf(conf).file("conf/pw", "wrong\n")
            .file("conf/a.crt", a.chainPem()).file("conf/a.key", a.traditionalKeyPem("second secret"))
            .file("conf/b.crt", b.chainPem()).file("conf/b.key", b.keyPem()).load()))
            .hasMessageContaining("cannot load certificate key").hasMessageContaining("bad password read");
    }

    @Test
    void aProxyProtocolHeaderComesInClearBeforeTheHandshake() throws Exception {
        System.setProperty("portico.tls.engine", "openssl");
        try (TestPortico p = TestPortico.builder().conf("""
                events {}
                http {
                  server {
                    listen 127.0.0.1:8443 ssl proxy_protocol;
                    set_real_ip_from 127.0.0.1;
                    real_ip_header proxy_protocol;
                    ssl_certificate default.crt; ssl_certificate_key default.key;
                    location / { return 200 "$remote_addr $proxy_protocol_addr $https"; }
                  }
                }
                """).file("conf/default.crt", DEFAULT.chainPem()).file("conf/default.key", DEFAULT.keyPem()).start()) {
            java.net.Socket raw = new java.net.Socket("127.0.0.1", p.port(8443));
            raw.getOutputStream().write("PROXY TCP4 203.0.113.7 127.0.0.1 5555 443\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            try (SSLSocket s = (SSLSocket) CERTS.clientContext().getSocketFactory().createSocket(raw, "localhost", p.port(8443), true)) {
                s.startHandshake();
                assertThat(get(s, "a")).isEqualTo("203.0.113.7 203.0.113.7 on");
            }
        }
    }

    @Test
    void certificatesNamedByTheServerNameAreReadForEachName() throws Exception {
        System.setProperty("portico.tls.engine", "openssl");
        TestCertificates.Issued a = CERTS.rsa("a.test");
        TestCertificates.Issued b = CERTS.ecdsa("b.test");
        try (TestPortico p = TestPortico.builder().conf("""
                error_log logs/error.log info;
                events {}
                http {
                  server {
                    listen 127.0.0.1:8443 ssl;
                    ssl_certificate certs/$ssl_server_name.crt;
                    ssl_certificate_key certs/$ssl_server_name.key;
                    location / { return 200 "hello $ssl_server_name"; }
                  }
                }
                """).file("conf/certs/a.test.crt", a.chainPem()).file("conf/certs/a.test.key", a.keyPem())
            .file("conf/certs/b.test.crt", b.chainPem()).file("conf/certs/b.test.key", b.keyPem()).start()) {
            for (String name : new String[] {"a.test", "b.test", "a.test"}) {
                try (SSLSocket s = connect(CERTS.clientContext(), p.port(8443), name)) {
                    assertThat(subject(s)).isEqualTo("CN=" + name);
                    assertThat(get(s, name)).isEqualTo("hello " + name);
                }
            }
            assertThatThrownBy(() -> connect(CERTS.clientContext(), p.port(8443), "c.test").close()).isInstanceOf(java.io.IOException.class);
            Await.until(Duration.ofSeconds(5), "the log line", () -> p.errorLog().contains("cannot load certificate")
                && p.errorLog().contains("c.test.crt"));
        }
        assertThat(catchThrowable(() -> TestPortico.load("events {}\nhttp { server { ssl_certificate $host.crt; } }\n")))
            .hasMessageContaining("only $ssl_server_name may be used in \"ssl_certificate\"");
    }

    @Test
    void aTlsListenWithoutCertificateIsAConfigurationError() {
        assertThat(catchThrowable(() -> TestPortico.load("events {}\nhttp {\n server {\n  listen 8443 ssl;\n }\n}\n")))
            .hasMessageContaining("no \"ssl_certificate\" is defined for the \"listen ... ssl\" directive")
            .hasMessageContaining(":4");
        assertThat(catchThrowable(() -> TestPortico.load("events {}\nhttp {\n server {\n  listen 8443 ssl;\n"
            + "  ssl_certificate a.crt;\n }\n}\n")))
            .hasMessageContaining("no \"ssl_certificate_key\" is defined for certificate \"a.crt\"");
    }
}
