package dev.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.Await;
import dev.portico.testing.PortMap;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestCertificates;
import dev.portico.testing.TestPortico;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code proxy_pass https://} with the {@code proxy_ssl_*} family, against a BoringSSL backend
 * that records what each handshake brought: verification of the chain and of the name (a
 * failure is a 502 and nginx's log line, never the backend's certificate problem), SNI,
 * client certificates, session resumption, and the keep-alive cache keeping connections made
 * with different settings apart. Portico's side runs on both engines.
 */
class UpstreamTlsTest {
    private static final TestCertificates CA = new TestCertificates();
    private static final TestCertificates.Issued BACKEND = CA.rsa("backend.test", "127.0.0.1");
    private static final TestCertificates OTHER_CA = new TestCertificates();
    private static final TestCertificates CLIENT_CA = new TestCertificates();
    private static final TestCertificates.Issued CLIENT = CLIENT_CA.rsa("portico-client");

    @AfterEach
    void engineBack() {
        System.clearProperty("portico.tls.engine");
    }

    /** Portico on 8080 with an upstream "backend.test" (port 17443) and the given upstream extras and locations. */
    private static TestPortico portico(PortMap ports, String engine, String upstreamExtra, String locations) {
        System.setProperty("portico.tls.engine", engine);
        return TestPortico.builder().ports(ports).conf(conf(upstreamExtra, locations))
            .file("conf/ca.pem", CA.caPem())
            .file("conf/client.crt", CLIENT.chainPem()).file("conf/client.key", CLIENT.keyPem())
            .start();
    }

    private static String conf(String upstreamExtra, String locations) {
        return "error_log logs/error.log info;\nevents {}\nhttp {\n"
            + " upstream backend.test { server 127.0.0.1:17443; " + upstreamExtra + " }\n"
            + " server { listen 127.0.0.1:8080; server_name front;\n" + locations + "\n }\n}\n";
    }

    private static RawHttp.Response get(TestPortico p, String path) {
        try (RawHttp c = new RawHttp(p.port(8080))) {
            return c.send("GET " + path + " HTTP/1.1\r\nHost: front\r\n\r\n").readResponse(false);
        }
    }

    private static void awaitLog(TestPortico p, String text) {
        Await.until(Duration.ofSeconds(10), "\"" + text + "\" in the error log", () -> p.errorLog().contains(text));
    }

    private static final String VERIFY = "proxy_ssl_verify on; proxy_ssl_trusted_certificate ca.pem;";

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void aVerifiedBackendIsReachedUnderItsUpstreamName(String engine) throws Exception {
        PortMap ports = new PortMap();
        try (TlsBackend b = TlsBackend.on(ports, 17443, BACKEND);
             TestPortico p = portico(ports, engine, "", "location / { proxy_pass https://backend.test; " + VERIFY + " }")) {
            RawHttp.Response r = get(p, "/");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo("connection 1");
            assertThat(b.handshakes).hasSize(1);
            assertThat(b.handshakes.get(0).protocol()).isEqualTo("TLSv1.3");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void anUntrustedChainIs502AndNginxsVerifyError(String engine) throws Exception {
        TestCertificates.Issued foreign = OTHER_CA.rsa("backend.test");
        PortMap ports = new PortMap();
        try (TlsBackend b = TlsBackend.on(ports, 17443, foreign);
             TestPortico p = portico(ports, engine, "", "location / { proxy_pass https://backend.test; " + VERIFY + " }")) {
            RawHttp.Response r = get(p, "/x?y=1");
            assertThat(r.status()).isEqualTo(502);
            assertThat(r.bodyText()).doesNotContain("certificate").doesNotContain("backend.test");
            int port = ports.get(17443);
            awaitLog(p, "[error]");
            assertThat(p.errorLog()).contains("upstream SSL certificate verify error: (19:self-signed certificate in certificate chain)"
                + " while SSL handshaking to upstream, client: 127.0.0.1, server: front, request: \"GET /x?y=1 HTTP/1.1\","
                + " upstream: \"https://127.0.0.1:" + port + "/x?y=1\", host: \"front\"");
            assertThat(b.requests.get()).isZero();
        }
    }

    @Test
    void chainsEndingAnywhereElseGetOpenSslsOtherCodes() throws Exception {
        // an intermediate whose root is not trusted: OpenSSL's "unable to get local issuer certificate"
        TestCertificates.Issued viaIntermediate = OTHER_CA.intermediate().rsa("backend.test");
        PortMap ports = new PortMap();
        try (TlsBackend b = TlsBackend.on(ports, 17443, viaIntermediate);
             TestPortico p = portico(ports, "openssl", "", "location / { proxy_pass https://backend.test; " + VERIFY + " }")) {
            assertThat(get(p, "/").status()).isEqualTo(502);
            awaitLog(p, "upstream SSL certificate verify error: (20:unable to get local issuer certificate) while SSL handshaking to upstream");
        }
        // the leaf alone, from an unknown issuer
        PortMap ports2 = new PortMap();
        try (TlsBackend b = TlsBackend.leafOnly(ports2, 17443, OTHER_CA.rsa("backend.test"));
             TestPortico p = portico(ports2, "openssl", "", "location / { proxy_pass https://backend.test; " + VERIFY + " }")) {
            assertThat(get(p, "/").status()).isEqualTo(502);
            awaitLog(p, "upstream SSL certificate verify error: (21:unable to verify the first certificate)");
        }
    }

    @Test
    void aChainThroughAnIntermediateNeedsDepthForIt() throws Exception {
        TestCertificates intermediate = CA.intermediate();
        TestCertificates.Issued deep = intermediate.rsa("backend.test");
        PortMap ports = new PortMap();
        try (TlsBackend b = TlsBackend.on(ports, 17443, deep);
             TestPortico p = portico(ports, "openssl", "", "location /d1 { proxy_pass https://backend.test; " + VERIFY + " }\n"
                 + "location /d0 { proxy_pass https://backend.test; " + VERIFY + " proxy_ssl_verify_depth 0; }")) {
            // nginx's default depth 1 allows one intermediate
            assertThat(get(p, "/d1").status()).isEqualTo(200);
            assertThat(get(p, "/d0").status()).isEqualTo(502);
            awaitLog(p, "upstream SSL certificate verify error: (22:certificate chain too long)");
        }
    }

    @Test
    void aRevokedCertificateIsRefusedWithACrl() throws Exception {
        TestCertificates.Issued revoked = CA.rsa("backend.test");
        PortMap ports = new PortMap();
        System.setProperty("portico.tls.engine", "openssl");
        try (TlsBackend b = TlsBackend.on(ports, 17443, revoked);
             TestPortico p = TestPortico.builder().ports(ports).conf("error_log logs/error.log info;\nevents {}\nhttp {\n"
                     + " upstream backend.test { server 127.0.0.1:17443; }\n server { listen 127.0.0.1:8080; server_name front;\n"
                     + " location /crl { proxy_pass https://backend.test; " + VERIFY + " proxy_ssl_crl revoked.crl; }\n"
                     + " location /none { proxy_pass https://backend.test; " + VERIFY + " proxy_ssl_crl clean.crl; }\n"
                     + " location / { proxy_pass https://backend.test; " + VERIFY + " }\n }\n}\n")
                 .file("conf/ca.pem", CA.caPem()).file("conf/revoked.crl", CA.crlPem(revoked.cert()))
                 .file("conf/clean.crl", CA.crlPem()).start()) {
            assertThat(get(p, "/").status()).isEqualTo(200);
            assertThat(get(p, "/none").status()).isEqualTo(200);
            assertThat(get(p, "/crl").status()).isEqualTo(502);
            awaitLog(p, "upstream SSL certificate verify error: (23:certificate revoked)");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void aNameTheCertificateDoesNotCarryIs502(String engine) throws Exception {
        PortMap ports = new PortMap();
        try (TlsBackend b = TlsBackend.on(ports, 17443, BACKEND);
             TestPortico p = portico(ports, engine, "", "location / { proxy_pass https://127.0.0.1:17443; " + VERIFY + " }\n"
                 + "location /named { proxy_pass https://127.0.0.1:17443; " + VERIFY + " proxy_ssl_name backend.test; }\n"
                 + "location /wrong { proxy_pass https://backend.test; " + VERIFY + " proxy_ssl_name $http_x_name; }")) {
            // an IP address is checked as a DNS name, as X509_check_host does: the certificate's IP entry does not count
            assertThat(get(p, "/").status()).isEqualTo(502);
            awaitLog(p, "upstream SSL certificate does not match \"127.0.0.1\" while SSL handshaking to upstream, client: 127.0.0.1");
            assertThat(get(p, "/named").status()).isEqualTo(200);
            try (RawHttp c = new RawHttp(p.port(8080))) {
                RawHttp.Response r = c.send("GET /wrong HTTP/1.1\r\nHost: front\r\nX-Name: other.test:8443\r\n\r\n").readResponse(false);
                assertThat(r.status()).isEqualTo(502);
            }
            // the port of a name is cut off before the check
            awaitLog(p, "upstream SSL certificate does not match \"other.test\"");
            assertThat(b.requests.get()).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void sniIsSentOnlyWhenAskedForAndProxySslNameOverridesIt(String engine) throws Exception {
        PortMap ports = new PortMap();
        try (TlsBackend b = TlsBackend.on(ports, 17443, BACKEND);
             TestPortico p = portico(ports, engine, "keepalive 0;",
                 "location /off { proxy_pass https://backend.test; }\n"
                     + "location /on { proxy_pass https://backend.test; proxy_ssl_server_name on; }\n"
                     + "location /named { proxy_pass https://backend.test; proxy_ssl_server_name on; proxy_ssl_name $http_x_sni; }\n"
                     + "location /ip { proxy_pass https://127.0.0.1:17443; proxy_ssl_server_name on; }")) {
            assertThat(get(p, "/off").status()).isEqualTo(200);
            assertThat(get(p, "/on").status()).isEqualTo(200);
            try (RawHttp c = new RawHttp(p.port(8080))) {
                assertThat(c.send("GET /named HTTP/1.1\r\nHost: front\r\nX-SNI: api.example.test:443\r\n\r\n").readResponse(false).status())
                    .isEqualTo(200);
            }
            assertThat(get(p, "/ip").status()).isEqualTo(200);
            assertThat(b.handshakes).extracting(TlsBackend.Handshake::sni)
                .containsExactly(null, "backend.test", "api.example.test", null);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void aClientCertificateIsPresentedToABackendThatRequiresOne(String engine) throws Exception {
        PortMap ports = new PortMap();
        try (TlsBackend b = TlsBackend.requiringClientCertificate(ports, 17443, BACKEND, CLIENT_CA.ca());
             TestPortico p = portico(ports, engine, "",
                 "location /with { proxy_pass https://backend.test; proxy_ssl_certificate client.crt; proxy_ssl_certificate_key client.key; }\n"
                     + "location /without { proxy_pass https://backend.test; }")) {
            assertThat(get(p, "/with").status()).isEqualTo(200);
            assertThat(b.handshakes).extracting(TlsBackend.Handshake::clientSubject).containsExactly("CN=portico-client");
            // with TLS 1.3 the backend refuses a missing certificate after the client's handshake is done:
            // the refusal comes as the answer to the request, as with nginx
            assertThat(get(p, "/without").status()).isEqualTo(502);
            Await.until(Duration.ofSeconds(10), "the refused handshake", () -> b.failedHandshakes.get() == 1);
            awaitLog(p, "[error]");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void aNewConnectionResumesTheSessionOfThePreviousOne(String engine) throws Exception {
        PortMap ports = new PortMap();
        try (TlsBackend b = TlsBackend.on(ports, 17443, BACKEND);
             TestPortico p = portico(ports, engine, "keepalive 0;",
                 "location / { proxy_pass https://backend.test; proxy_ssl_server_name on; " + VERIFY + " }\n"
                     + "location /fresh { proxy_pass https://backend.test; proxy_ssl_session_reuse off; }")) {
            assertThat(get(p, "/").status()).isEqualTo(200);
            assertThat(get(p, "/").status()).isEqualTo(200);
            assertThat(get(p, "/fresh").status()).isEqualTo(200);
            assertThat(get(p, "/fresh").status()).isEqualTo(200);
            assertThat(b.handshakes).extracting(TlsBackend.Handshake::resumed).containsExactly(false, true, false, false);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void aKeptConnectionServesTheNextRequestWithoutAHandshake(String engine) throws Exception {
        PortMap ports = new PortMap();
        try (TlsBackend b = TlsBackend.on(ports, 17443, BACKEND);
             TestPortico p = portico(ports, engine, "", "location / { proxy_pass https://backend.test; " + VERIFY + " }")) {
            for (int i = 0; i < 3; i++) {
                RawHttp.Response r = get(p, "/");
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.bodyText()).isEqualTo("connection 1");
            }
            assertThat(b.connections()).isEqualTo(1);
            assertThat(b.handshakes).hasSize(1);
        }
    }

    @Test
    void locationsWithDifferentTlsSettingsNeverShareAConnection() throws Exception {
        PortMap ports = new PortMap();
        try (TlsBackend b = TlsBackend.on(ports, 17443, BACKEND);
             // "keepalive N" without "local": one cache for the upstream, shared by its locations
             TestPortico p = portico(ports, "openssl", "keepalive 8;",
                 "location /a { proxy_pass https://backend.test; proxy_ssl_protocols TLSv1.2; }\n"
                     + "location /b { proxy_pass https://backend.test; }\n"
                     + "location /c { proxy_pass https://backend.test; proxy_ssl_protocols TLSv1.2; }\n"
                     + "location /sni { proxy_pass https://backend.test; proxy_ssl_protocols TLSv1.2; proxy_ssl_server_name on; }")) {
            assertThat(get(p, "/a").bodyText()).isEqualTo("connection 1");
            assertThat(get(p, "/b").bodyText()).isEqualTo("connection 2");
            // same settings as /a: its connection
            assertThat(get(p, "/c").bodyText()).isEqualTo("connection 1");
            assertThat(get(p, "/b").bodyText()).isEqualTo("connection 2");
            // same context, but a connection that sent SNI is not one that did not
            assertThat(get(p, "/sni").bodyText()).isEqualTo("connection 3");
            assertThat(b.handshakes).extracting(TlsBackend.Handshake::protocol).containsExactly("TLSv1.2", "TLSv1.3", "TLSv1.2");
        }
    }

    @Test
    void aBackendThatNeverAnswersTheHandshakeTimesOutAs504() throws Exception {
        PortMap ports = new PortMap();
        try (ServerSocket silent = new ServerSocket()) {
            silent.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), ports.get(17443)));
            try (TestPortico p = portico(ports, "openssl", "",
                "location / { proxy_pass https://backend.test; proxy_connect_timeout 300ms; }")) {
                assertThat(get(p, "/").status()).isEqualTo(504);
                awaitLog(p, "upstream timed out (110: Connection timed out) while SSL handshaking to upstream");
            }
        }
    }

    @Test
    void aReloadThatTurnsVerificationOnDoesNotReuseConnectionsMadeWithout() throws Exception {
        TestCertificates.Issued foreign = OTHER_CA.rsa("backend.test");
        String plain = "location / { proxy_pass https://backend.test; }";
        String verified = "location / { proxy_pass https://backend.test; " + VERIFY + " }";
        PortMap ports = new PortMap();
        try (TlsBackend b = TlsBackend.on(ports, 17443, foreign);
             TestPortico p = portico(ports, "openssl", "", plain)) {
            assertThat(get(p, "/").bodyText()).isEqualTo("connection 1");
            assertThat(p.reload(conf("", verified))).isNull();
            // the kept connection was made without verification: a new one is made, and refused
            assertThat(get(p, "/").status()).isEqualTo(502);
            awaitLog(p, "upstream SSL certificate verify error: (19:self-signed certificate in certificate chain)");
            assertThat(p.reload(conf("", plain))).isNull();
            // the same settings as the first configuration: its kept connection serves again
            assertThat(get(p, "/").bodyText()).isEqualTo("connection 1");
            assertThat(b.requests.get()).isEqualTo(2);
        }
    }

    @Test
    void aTrustedFileThatCannotBeReadFailsTheReloadAndTheRunningConfigurationGoesOn() throws Exception {
        PortMap ports = new PortMap();
        try (TlsBackend b = TlsBackend.on(ports, 17443, BACKEND);
             TestPortico p = portico(ports, "openssl", "", "location / { proxy_pass https://backend.test; " + VERIFY + " }")) {
            assertThat(get(p, "/").status()).isEqualTo(200);
            String error = p.reload(conf("", "location / { proxy_pass https://backend.test; proxy_ssl_verify on;"
                + " proxy_ssl_trusted_certificate gone.pem; }"));
            assertThat(error).contains("SSL_CTX_load_verify_locations(\"").contains("gone.pem\") failed (2: No such file or directory)");
            assertThat(get(p, "/").status()).isEqualTo(200);
        }
    }
}
