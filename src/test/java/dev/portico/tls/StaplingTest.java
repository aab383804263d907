package dev.portico.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.portico.testing.Await;
import dev.portico.testing.PortMap;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestCertificates;
import dev.portico.testing.TestOcspResponder;
import dev.portico.testing.TestPortico;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.SingleResp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * OCSP stapling ({@code ssl_stapling} and its family) against a test responder signing with the
 * test CA, seen by the JDK's TLS client (which asks for the certificate's status in every
 * handshake): responses fetched once and stapled, {@code ssl_stapling_file}, a responder that is
 * down, bad answers not stapled with nginx's lines, {@code ssl_stapling_verify}, nginx's load
 * warnings, and a reload that keeps the response fetched.
 */
class StaplingTest {
    private static final TestCertificates CERTS = new TestCertificates();
    private static final TestCertificates OTHER = new TestCertificates();
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static final String CONF = """
        error_log logs/error.log info;
        events {}
        http {
          server {
            listen 127.0.0.1:8443 ssl default_server;
            server_name a.test;
            ssl_certificate server.crt;
            ssl_certificate_key server.key;
            ssl_stapling on;
            EXTRA
            location / { return 200 "a\\n"; }
          }
          server {
            listen 127.0.0.1:8443 ssl;
            server_name b.test;
            ssl_certificate B_CERT.crt;
            ssl_certificate_key B_CERT.key;
            ssl_stapling on;
            B_EXTRA
            location / { return 200 "b\\n"; }
          }
        }
        """;

    @AfterEach
    void engineBack() {
        System.clearProperty("portico.tls.engine");
    }

    /** Started on {@code conf}, the ports of the responders named in it left as they are. */
    private static TestPortico start(String conf, TestCertificates.Issued server, String chain, String... files) {
        return start(List.of(), conf, server, chain, files);
    }

    private static TestPortico start(List<TestOcspResponder> responders, String conf, TestCertificates.Issued server, String chain,
                                     String... files) {
        System.setProperty("portico.tls.engine", System.getProperty("portico.tls.engine", "openssl"));
        PortMap ports = new PortMap();
        responders.forEach(r -> ports.keep(r.port()));
        TestPortico.Builder b = TestPortico.builder().ports(ports).conf(conf)
            .file("conf/server.crt", chain).file("conf/server.key", server.keyPem()).file("conf/ca.crt", CERTS.caPem());
        for (int i = 0; i < files.length; i += 2) {
            b.file("conf/" + files[i], files[i + 1]);
        }
        return b.start();
    }

    private static String conf(String extra, String bExtra) {
        return conf(extra, bExtra, "server");
    }

    /** Server a's and b's extra lines, and the name of b's certificate and key files. */
    private static String conf(String extra, String bExtra, String bCert) {
        return CONF.replace("B_EXTRA", bExtra).replace("EXTRA", extra).replace("B_CERT", bCert);
    }

    /** The response stapled to a handshake for {@code name}, or null; the request is served either way. */
    private static byte[] staple(TestPortico p, String name) throws Exception {
        try (SSLSocket s = (SSLSocket) CERTS.clientContext().getSocketFactory().createSocket("127.0.0.1", p.port(8443))) {
            SSLParameters params = s.getSSLParameters();
            params.setServerNames(List.of(new SNIHostName(name)));
            s.setSSLParameters(params);
            s.setSoTimeout(10_000);
            s.startHandshake();
            List<byte[]> responses = ((ExtendedSSLSession) s.getSession()).getStatusResponses();
            RawHttp.Response r = new RawHttp(s).send("GET / HTTP/1.1\r\nHost: " + name + "\r\n\r\n").readResponse(false);
            assertThat(r.status()).isEqualTo(200);
            return responses.isEmpty() ? null : responses.get(0);
        }
    }

    private static byte[] awaitStaple(TestPortico p, String name) {
        byte[][] got = new byte[1][];
        Await.until(WAIT, "a stapled response for " + name, () -> {
            try {
                got[0] = staple(p, name);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return got[0] != null;
        });
        return got[0];
    }

    private static SingleResp single(byte[] der) throws Exception {
        OCSPResp r = TestOcspResponder.parse(der);
        assertThat(r.getStatus()).isZero();
        return ((BasicOCSPResp) r.getResponseObject()).getResponses()[0];
    }

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void theResponderNamedInTheCertificateIsAskedOnceAndItsAnswerStapled() throws Exception {
        try (TestOcspResponder responder = TestOcspResponder.start(TestOcspResponder.signedBy(CERTS, CertificateStatus.GOOD))) {
            TestCertificates.Issued server = CERTS.rsaWithOcsp(responder.url(), "a.test");
            try (TestPortico p = start(conf("", ""), server, server.chainPem())) {
                SingleResp s = single(awaitStaple(p, "a.test"));
                assertThat(s.getCertID().getSerialNumber()).isEqualTo(server.cert().getSerialNumber());
                assertThat(s.getCertStatus()).isEqualTo(CertificateStatus.GOOD);
                // nginx's request: GET with the DER request in base64 after the responder's path
                assertThat(responder.requests()).first().asString().startsWith("GET /ocsp/M");
                for (int i = 0; i < 3; i++) {
                    assertThat(staple(p, "a.test")).isNotNull();
                }
                // one fetch per server's stapling (the two servers differ in nothing: one target), not one per handshake
                assertThat(responder.requests()).hasSize(1);
                assertThat(p.errorLog()).doesNotContain("[error]");
            }
        }
    }

    @Test
    void aStaplingFileIsStapledAsItIsAndNoResponderIsAsked() throws Exception {
        TestCertificates.Issued server = CERTS.rsaWithOcsp("http://127.0.0.1:" + closedPort() + "/", "a.test");
        byte[] der = TestOcspResponder.response(TestOcspResponder.id(server.cert(), CERTS.ca()), CertificateStatus.GOOD,
            CERTS.key(), CERTS.ca(), false, Duration.ofHours(1));
        String conf = conf("ssl_stapling_file ocsp.der;", "");
        System.setProperty("portico.tls.engine", "openssl");
        try (TestPortico p = TestPortico.builder().conf(conf)
            .file("conf/server.crt", server.certPem()).file("conf/server.key", server.keyPem()).file("conf/ocsp.der", der).start()) {
            // no issuer is needed either: the file is stapled from the first handshake on
            assertThat(staple(p, "a.test")).isEqualTo(der);
            // the other server has no file and its certificate no issuer at hand: nginx's warning, no staple
            assertThat(staple(p, "b.test")).isNull();
            assertThat(p.errorLog()).doesNotContain("requesting certificate status");
        }
    }

    @Test
    void aResponderThatIsDownLeavesHandshakesWithoutStapleAndLogsWhy() throws Exception {
        int port = closedPort();
        TestCertificates.Issued server = CERTS.rsaWithOcsp("http://127.0.0.1:" + port + "/ocsp", "a.test");
        try (TestPortico p = start(conf("", ""), server, server.chainPem())) {
            String crt = p.prefix().resolve("conf/server.crt").toString();
            Await.until(WAIT, "the connect error", () -> p.errorLog().contains("[error]")
                && p.errorLog().contains("connect() failed (111: Connection refused) while requesting certificate status, responder: 127.0.0.1, peer: 127.0.0.1:"
                    + port + ", certificate: \"" + crt + "\""));
            assertThat(staple(p, "a.test")).isNull();
        }
    }

    @Test
    void badAnswersAreNotStapledAndLoggedAsNginxLogsThem() throws Exception {
        try (TestOcspResponder responder = TestOcspResponder.start(TestOcspResponder.signedBy(CERTS, new RevokedStatus(new java.util.Date(), 1)))) {
            TestCertificates.Issued server = CERTS.rsaWithOcsp(responder.url(), "a.test");
            String[][] cases = {
                {"revoked", "certificate status \"revoked\" in the OCSP response while requesting certificate status, responder: 127.0.0.1, peer: 127.0.0.1:"},
                {"trylater", "OCSP response not successful (3: trylater) while requesting certificate status"},
                {"corrupt", "OCSP_basic_verify() failed (SSL: signature failure) while requesting certificate status"},
                {"other cert", "certificate status not found in the OCSP response"},
            };
            for (String[] c : cases) {
                responder.answer(switch (c[0]) {
                    case "revoked" -> TestOcspResponder.signedBy(CERTS, new RevokedStatus(new java.util.Date(), 1));
                    case "trylater" -> id -> TestOcspResponder.unsuccessful(3);
                    case "corrupt" -> id -> TestOcspResponder.corrupted(TestOcspResponder.signedBy(CERTS, CertificateStatus.GOOD).apply(id));
                    default -> id -> TestOcspResponder.response(TestOcspResponder.id(CERTS.ca(), CERTS.ca()), CertificateStatus.GOOD,
                        CERTS.key(), CERTS.ca(), false, Duration.ofHours(1));
                });
                try (TestPortico p = start(conf("", ""), server, server.chainPem())) {
                    Await.until(WAIT, c[0], () -> p.errorLog().contains(c[1]));
                    assertThat(staple(p, "a.test")).as(c[0]).isNull();
                }
            }
        }
    }

    @Test
    void verifyRefusesASignerTheTrustedCertificatesDoNotVouchFor() throws Exception {
        // signed by a responder of another CA, whose certificate comes in the response: good enough without verification (as in nginx)
        TestCertificates.Issued stranger = OTHER.ocspResponder("Stranger");
        try (TestOcspResponder responder = TestOcspResponder.start(id -> TestOcspResponder.response(id, CertificateStatus.GOOD,
            stranger.key(), stranger.cert(), true, Duration.ofHours(1)))) {
            TestCertificates.Issued server = CERTS.rsaWithOcsp(responder.url(), "a.test");
            try (TestPortico p = start(conf("ssl_stapling_verify on; ssl_trusted_certificate ca.crt;", "ssl_stapling_verify off;"),
                server, server.chainPem())) {
                assertThat(single(awaitStaple(p, "b.test")).getCertStatus()).isEqualTo(CertificateStatus.GOOD);
                Await.until(WAIT, "the verify error", () -> p.errorLog().contains(
                    "OCSP_basic_verify() failed (SSL: certificate verify error:Verify error:unable to get local issuer certificate)"
                        + " while requesting certificate status"));
                assertThat(staple(p, "a.test")).isNull();
            }
        }
    }

    @Test
    void verifyAcceptsTheIssuerAndAResponderItDelegatedTo() throws Exception {
        TestCertificates.Issued delegate = CERTS.ocspResponder("Portico Test OCSP");
        try (TestOcspResponder byIssuer = TestOcspResponder.start(TestOcspResponder.signedBy(CERTS, CertificateStatus.GOOD));
             TestOcspResponder byDelegate = TestOcspResponder.start(id -> TestOcspResponder.response(id, CertificateStatus.GOOD,
                 delegate.key(), delegate.cert(), true, Duration.ofHours(1)))) {
            TestCertificates.Issued server = CERTS.rsaWithOcsp(byIssuer.url(), "a.test");
            String verify = "ssl_stapling_verify on; ssl_trusted_certificate ca.crt;";
            try (TestPortico p = start(List.of(byDelegate), conf(verify, verify + " ssl_stapling_responder " + byDelegate.url() + ";"),
                server, server.chainPem())) {
                assertThat(single(awaitStaple(p, "a.test")).getCertStatus()).isEqualTo(CertificateStatus.GOOD);
                assertThat(single(awaitStaple(p, "b.test")).getCertStatus()).isEqualTo(CertificateStatus.GOOD);
                assertThat(byDelegate.requests()).hasSize(1);
                assertThat(p.errorLog()).doesNotContain("[error]");
            }
        }
    }

    @Test
    void withoutIssuerOrResponderStaplingIsIgnoredWithNginxsWarnings() throws Exception {
        try (TestOcspResponder responder = TestOcspResponder.start(TestOcspResponder.signedBy(CERTS, CertificateStatus.GOOD))) {
            TestCertificates.Issued server = CERTS.rsaWithOcsp(responder.url(), "a.test");
            TestCertificates.Issued plain = CERTS.rsa("b.test");
            // the leaf alone: no issuer in the chain, none trusted
            try (TestPortico p = start(conf("", "", "plain"), server, server.certPem(), "plain.crt", plain.chainPem(), "plain.key", plain.keyPem())) {
                String crt = p.prefix().resolve("conf/server.crt").toString();
                String plainCrt = p.prefix().resolve("conf/plain.crt").toString();
                // warnings come at load: a reload writes them to the error log in force
                assertThat(p.reload(conf("", "", "plain"))).isNull();
                assertThat(p.errorLog()).contains("[warn]")
                    .contains("\"ssl_stapling\" ignored, issuer certificate not found for certificate \"" + crt + "\"")
                    .contains("\"ssl_stapling\" ignored, no OCSP responder URL in the certificate \"" + plainCrt + "\"");
                assertThat(staple(p, "a.test")).isNull();
                // the issuer found among the trusted certificates instead
                assertThat(p.reload(conf("ssl_trusted_certificate ca.crt;", ""))).isNull();
                assertThat(single(awaitStaple(p, "a.test")).getCertStatus()).isEqualTo(CertificateStatus.GOOD);
            }
        }
    }

    @Test
    void aReloadKeepsTheResponseOfAnUnchangedCertificate() throws Exception {
        try (TestOcspResponder responder = TestOcspResponder.start(TestOcspResponder.signedBy(CERTS, CertificateStatus.GOOD))) {
            TestCertificates.Issued server = CERTS.rsaWithOcsp(responder.url(), "a.test");
            try (TestPortico p = start(List.of(responder), conf("", ""), server, server.chainPem())) {
                byte[] first = awaitStaple(p, "a.test");
                // another setting makes another SSL context; the certificate's stapler stays, response and all
                assertThat(p.reload(conf("ssl_session_timeout 10m;", "ssl_session_timeout 10m;"))).isNull();
                assertThat(staple(p, "a.test")).isEqualTo(first);
                assertThat(responder.requests()).hasSize(1);
                // another responder is another target: asked anew
                assertThat(p.reload(conf("ssl_stapling_responder " + responder.url() + "/again;", ""))).isNull();
                Await.until(WAIT, "the second fetch", () -> responder.requests().size() == 2);
                assertThat(responder.requests().get(1)).startsWith("GET /ocsp/again/");
            }
        }
    }

    @Test
    void theJdkEngineWarnsAndStaplesNothing() throws Exception {
        try (TestOcspResponder responder = TestOcspResponder.start(TestOcspResponder.signedBy(CERTS, CertificateStatus.GOOD))) {
            TestCertificates.Issued server = CERTS.rsaWithOcsp(responder.url(), "a.test");
            System.setProperty("portico.tls.engine", "jdk");
            try (TestPortico p = start(conf("", ""), server, server.chainPem())) {
                assertThat(p.reload(conf("", ""))).isNull();
                assertThat(p.errorLog()).contains("[warn]").contains("\"ssl_stapling\" ignored, not supported by the JDK's TLS engine");
                assertThat(staple(p, "a.test")).isNull();
                assertThat(responder.requests()).isEmpty();
            }
        }
    }

    @Test
    void configurationErrors() {
        TestCertificates.Issued server = CERTS.rsa("a.test");
        String base = """
            events {}
            http { server { listen 127.0.0.1:8443 ssl; ssl_certificate server.crt; ssl_certificate_key server.key; X } }
            """;
        java.util.function.Function<String, Throwable> load = x -> catchThrowable(() -> TestPortico.builder().conf(base.replace("X", x))
            .file("conf/server.crt", server.chainPem()).file("conf/server.key", server.keyPem()).file("conf/bad.der", "not DER").load());
        assertThat(load.apply("ssl_stapling maybe;")).hasMessageContaining("invalid value \"maybe\"");
        assertThat(load.apply("ssl_stapling on; ssl_stapling_file missing.der;"))
            .hasMessageContaining("BIO_new_file(\"").hasMessageContaining("missing.der\") failed (2: No such file or directory)");
        assertThat(load.apply("ssl_stapling on; ssl_stapling_file bad.der;")).hasMessageContaining("d2i_OCSP_RESPONSE_bio(\"");
        // read only when stapling is on, as nginx reads it
        assertThat(load.apply("ssl_stapling_file missing.der;")).isNull();
    }

    @Test
    void responderUrls() throws Exception {
        assertThat(ResponderUrl.parse("http://ocsp.example.com")).isEqualTo(new ResponderUrl("ocsp.example.com", 80, "/"));
        assertThat(ResponderUrl.parse("HTTP://[::1]:8080/a/b")).isEqualTo(new ResponderUrl("[::1]", 8080, "/a/b"));
        assertThat(catchThrowable(() -> ResponderUrl.parse("https://ocsp.example.com/")))
            .hasMessage("invalid URL prefix in OCSP responder \"https://ocsp.example.com/\"");
        assertThat(catchThrowable(() -> ResponderUrl.parse("http://ocsp.example.com:99999/")))
            .hasMessage("invalid port in OCSP responder \"ocsp.example.com:99999/\"");
        assertThat(new String(OcspClient.requestHead(new ResponderUrl("h", 80, "/p"), new byte[] {(byte) 0xfb, (byte) 0xff})))
            .isEqualTo("GET /p/%2B%2F8%3D HTTP/1.0\r\nHost: h\r\n\r\n");
    }
}
