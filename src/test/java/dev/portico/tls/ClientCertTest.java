package dev.portico.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.portico.testing.Await;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestCertificates;
import dev.portico.testing.TestPortico;
import java.math.BigInteger;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Client certificates on both engines, through the JDK's SSLSocket presenting certificates
 * whatever the server asks for: each {@code ssl_verify_client} mode against no certificate, a
 * good one, one from another CA and an expired one; the {@code $ssl_client_*} variables;
 * nginx's 400 pages and {@code error_page} for 495/496; 421 when {@code Host} leaves the
 * server the handshake verified for; CA lists, depth, CRLs, resumption and configuration errors.
 */
class ClientCertTest {
    private static final TestCertificates CERTS = new TestCertificates();
    private static final TestCertificates OTHER = new TestCertificates();
    private static final TestCertificates.Issued SERVER = CERTS.rsa("server.test", "localhost");
    private static final TestCertificates.Issued GOOD = CERTS.client("alice");
    private static final TestCertificates.Issued STRANGER = OTHER.client("mallory");
    private static final TestCertificates.Issued EXPIRED = CERTS.client(new X500Name("CN=old"),
        new Date(System.currentTimeMillis() - 10 * 86_400_000L), new Date(System.currentTimeMillis() - 86_400_000L));

    private static final String MODES = """
        error_log logs/error.log info;
        events {}
        http {
          ssl_certificate server.crt;
          ssl_certificate_key server.key;
          ssl_client_certificate ca.crt;
          server {
            listen 127.0.0.1:8443 ssl default_server;
            server_name on.test;
            ssl_verify_client on;
            location / { return 200 "on $ssl_client_verify"; }
          }
          server {
            listen 127.0.0.1:8443 ssl;
            server_name optional.test;
            ssl_verify_client optional;
            location / { return 200 "optional $ssl_client_verify"; }
          }
          server {
            listen 127.0.0.1:8443 ssl;
            server_name noca.test;
            ssl_verify_client optional_no_ca;
            location / { return 200 "optional_no_ca $ssl_client_verify"; }
          }
          server {
            listen 127.0.0.1:8443 ssl;
            server_name off.test;
            location / { return 200 "off $ssl_client_verify"; }
          }
          EXTRA
        }
        """;

    @AfterEach
    void engineBack() {
        System.clearProperty("portico.tls.engine");
    }

    private static TestPortico start(String engine, String conf, String... files) {
        System.setProperty("portico.tls.engine", engine);
        TestPortico.Builder b = TestPortico.builder().conf(conf)
            .file("conf/server.crt", SERVER.chainPem()).file("conf/server.key", SERVER.keyPem())
            .file("conf/ca.crt", CERTS.caPem());
        for (int i = 0; i < files.length; i += 2) {
            b.file("conf/" + files[i], files[i + 1]);
        }
        return b.start();
    }

    private static SSLSocket connect(SSLContext client, int port, String serverName, String... protocols) throws Exception {
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

    private static RawHttp.Response get(SSLContext client, int port, String serverName, String host, String path) throws Exception {
        try (SSLSocket s = connect(client, port, serverName)) {
            return new RawHttp(s).send("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n").readResponse(false);
        }
    }

    /** "200 body" or "400 <the page's explanation>". */
    private static String outcome(RawHttp.Response r) {
        if (r.status() == 400) {
            String body = r.bodyText();
            int at = body.indexOf("<center>", body.indexOf("</h1>"));
            return "400 " + body.substring(at + 8, body.indexOf("</center>", at));
        }
        return r.status() + " " + r.bodyText();
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void eachModeAgainstNoGoodForeignAndExpiredCertificates(String engine) throws Exception {
        try (TestPortico p = start(engine, MODES.replace("EXTRA", ""))) {
            int port = p.port(8443);
            String cert = "The SSL certificate error";
            String[][] table = {
                {"on.test", "400 No required SSL certificate was sent", "200 on SUCCESS", "400 " + cert, "400 " + cert},
                {"optional.test", "200 optional NONE", "200 optional SUCCESS", "400 " + cert, "400 " + cert},
                {"noca.test", "200 optional_no_ca NONE", "200 optional_no_ca SUCCESS",
                    "200 optional_no_ca FAILED:unable to verify the first certificate", "400 " + cert},
                {"off.test", "200 off NONE", "200 off NONE", "200 off NONE", "200 off NONE"},
            };
            for (String[] row : table) {
                TestCertificates.Issued[] clients = {null, GOOD, STRANGER, EXPIRED};
                for (int i = 0; i < clients.length; i++) {
                    RawHttp.Response r = get(clients[i] == null ? CERTS.clientContext() : CERTS.clientContext(clients[i]), port, row[0], row[0], "/");
                    assertThat(outcome(r)).as(engine + " " + row[0] + " client " + i).isEqualTo(row[i + 1]);
                    if (r.status() == 400) {
                        assertThat(r.statusLine()).isEqualTo("HTTP/1.1 400 Bad Request");
                        assertThat(r.header("Connection")).isEqualTo("close");
                    }
                }
            }
            Await.until(Duration.ofSeconds(5), "the log lines", () -> p.errorLog().contains("client sent no required SSL certificate")
                && p.errorLog().contains("client SSL certificate verify error: (21:unable to verify the first certificate)")
                && p.errorLog().contains("client SSL certificate verify error: (10:certificate has expired)"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void theVariablesDescribeTheCertificateAsNginxDoes(String engine) throws Exception {
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.C, "US").addRDN(BCStyle.O, "Example, Inc.")
            .addRDN(BCStyle.CN, "Jos\u00e9 Smith").addRDN(BCStyle.EmailAddress, "jose@example.test").build();
        Date notBefore = new Date((System.currentTimeMillis() / 1000 - 3600) * 1000);
        Date notAfter = new Date((System.currentTimeMillis() / 1000 + 10 * 86_400 + 3600) * 1000);
        TestCertificates.Issued jose = CERTS.client(subject, notBefore, notAfter);
        String vars = "ssl_client_verify ssl_client_s_dn ssl_client_i_dn ssl_client_s_dn_legacy ssl_client_i_dn_legacy"
            + " ssl_client_serial ssl_client_fingerprint ssl_client_raw_cert ssl_client_cert ssl_client_escaped_cert"
            + " ssl_client_v_start ssl_client_v_end ssl_client_v_remain";
        StringBuilder locations = new StringBuilder();
        for (String v : vars.split(" ")) {
            locations.append("location = /").append(v).append(" { return 200 \"[$").append(v).append("]\"; }\n");
        }
        String conf = MODES.replace("EXTRA", "").replace("location / { return 200 \"optional $ssl_client_verify\"; }",
            locations.toString());
        try (TestPortico p = start(engine, conf)) {
            X509Certificate c = jose.cert();
            String pem = TestCertificates.pem(c);
            String ca = CERTS.ca().getSubjectX500Principal().getName();
            java.time.format.DateTimeFormatter asn1 = java.time.format.DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss yyyy 'GMT'",
                java.util.Locale.ROOT).withZone(java.time.ZoneOffset.UTC);
            String[][] expected = {
                {"ssl_client_verify", "SUCCESS"},
                {"ssl_client_s_dn", "emailAddress=jose@example.test,CN=Jos\\C3\\A9 Smith,O=Example\\, Inc.,C=US"},
                {"ssl_client_i_dn", ca},
                {"ssl_client_s_dn_legacy", "/C=US/O=Example, Inc./CN=Jos\\xC3\\xA9 Smith/emailAddress=jose@example.test"},
                {"ssl_client_i_dn_legacy", "/" + ca},
                {"ssl_client_serial", c.getSerialNumber().toString(16).toUpperCase().length() % 2 == 0
                    ? c.getSerialNumber().toString(16).toUpperCase() : "0" + c.getSerialNumber().toString(16).toUpperCase()},
                {"ssl_client_fingerprint", HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(c.getEncoded()))},
                {"ssl_client_raw_cert", pem},
                {"ssl_client_cert", pem.substring(0, pem.length() - 1).replace("\n", "\n\t")},
                {"ssl_client_escaped_cert", URLEncoder.encode(pem, StandardCharsets.US_ASCII).replace("+", "%20")},
                {"ssl_client_v_start", asn1.format(notBefore.toInstant())},
                {"ssl_client_v_end", asn1.format(notAfter.toInstant())},
                {"ssl_client_v_remain", "10"},
            };
            SSLContext client = CERTS.clientContext(jose);
            try (SSLSocket s = connect(client, p.port(8443), "optional.test")) {
                RawHttp http = new RawHttp(s);
                for (String[] row : expected) {
                    RawHttp.Response r = http.send("GET /" + row[0] + " HTTP/1.1\r\nHost: optional.test\r\n\r\n").readResponse(false);
                    assertThat(r.bodyText()).as(engine + " $" + row[0]).isEqualTo("[" + row[1] + "]");
                }
            }
            // without a certificate: empty, and NONE
            try (SSLSocket s = connect(CERTS.clientContext(), p.port(8443), "optional.test")) {
                RawHttp http = new RawHttp(s);
                for (String v : vars.split(" ")) {
                    RawHttp.Response r = http.send("GET /" + v + " HTTP/1.1\r\nHost: optional.test\r\n\r\n").readResponse(false);
                    assertThat(r.bodyText()).as("$" + v).isEqualTo(v.equals("ssl_client_verify") ? "[NONE]" : "[]");
                }
            }
        }
    }

    @Test
    void theSerialIsPrintedAsOpenSslDoes() {
        assertThat(ClientCertVariables.serial(BigInteger.valueOf(0x0a))).isEqualTo("0A");
        assertThat(ClientCertVariables.serial(new BigInteger("00C5D3", 16))).isEqualTo("C5D3");
        assertThat(ClientCertVariables.serial(BigInteger.ZERO)).isEqualTo("00");
        assertThat(ClientCertVariables.serial(BigInteger.valueOf(-0x1234))).isEqualTo("-1234");
        assertThat(ClientCertVariables.remain(new Date(100_000_000L), new Date(100_000_000L - 86_399_000L))).isEqualTo("0");
        assertThat(ClientCertVariables.remain(new Date(100_000_000L), new Date(100_000_000L - 2 * 86_400_000L - 5))).isEqualTo("2");
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void errorPageTakesOver495And496(String engine) throws Exception {
        String conf = MODES.replace("EXTRA", "").replace("ssl_verify_client on;", """
            ssl_verify_client on;
                error_page 495 https://$host/bad-certificate?from=$uri;
                error_page 496 = @login;
                location @login { return 403 "login: $ssl_client_verify"; }
            """);
        try (TestPortico p = start(engine, conf)) {
            RawHttp.Response bad = get(CERTS.clientContext(STRANGER), p.port(8443), "on.test", "on.test", "/x");
            assertThat(bad.status()).isEqualTo(302);
            assertThat(bad.header("Location")).isEqualTo("https://on.test/bad-certificate?from=/x");
            RawHttp.Response none = get(CERTS.clientContext(), p.port(8443), "on.test", "on.test", "/x");
            assertThat(none.status()).isEqualTo(403);
            assertThat(none.bodyText()).isEqualTo("login: NONE");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void aHostOtherThanTheVerifiedNameIsMisdirected(String engine) throws Exception {
        // on.test and optional.test verify clients, off.test does not
        String conf = MODES.replace("EXTRA", "").replace("ssl_verify_client on;", "ssl_verify_client on; error_page 421 /421.txt;"
            + " location = /421.txt { return 200 \"misdirected from on.test\"; }");
        try (TestPortico p = start(engine, conf)) {
            int port = p.port(8443);
            // a fresh client context each time: the JDK sends a cached session's name again when it resumes it
            try (SSLSocket s = connect(CERTS.clientContext(GOOD), port, "on.test")) {
                RawHttp http = new RawHttp(s);
                RawHttp.Response r = http.send("GET / HTTP/1.1\r\nHost: optional.test\r\n\r\n").readResponse(false);
                // answered by the server the handshake chose, with its error_page
                assertThat(r.status()).isEqualTo(421);
                assertThat(r.bodyText()).isEqualTo("misdirected from on.test");
                // the connection stays usable, as nginx keeps it alive after a 421
                r = http.send("GET / HTTP/1.1\r\nHost: on.test\r\n\r\n").readResponse(false);
                assertThat(outcome(r)).isEqualTo("200 on SUCCESS");
                // a server that does not verify clients may be reached by Host; the connection's certificate shows
                r = http.send("GET / HTTP/1.1\r\nHost: off.test\r\n\r\n").readResponse(false);
                assertThat(outcome(r)).isEqualTo("200 off SUCCESS");
            }
            try (SSLSocket s = connect(CERTS.clientContext(GOOD), port, "off.test")) {
                RawHttp.Response r = new RawHttp(s).send("GET / HTTP/1.1\r\nHost: optional.test\r\n\r\n").readResponse(false);
                assertThat(r.status()).isEqualTo(421);
                assertThat(r.bodyText()).contains("<title>421 Misdirected Request</title>");
            }
            // without SNI, or with a name no server has, the Host routes and that server checks the certificate
            try (SSLSocket s = connect(CERTS.clientContext(GOOD), port, null)) {
                assertThat(outcome(new RawHttp(s).send("GET / HTTP/1.1\r\nHost: optional.test\r\n\r\n").readResponse(false)))
                    .isEqualTo("200 optional SUCCESS");
            }
            try (SSLSocket s = connect(CERTS.clientContext(GOOD), port, "unknown.test")) {
                assertThat(outcome(new RawHttp(s).send("GET / HTTP/1.1\r\nHost: noca.test\r\n\r\n").readResponse(false)))
                    .isEqualTo("200 optional_no_ca SUCCESS");
            }
            Await.until(Duration.ofSeconds(5), "the log line",
                () -> p.errorLog().contains("client attempted to request the server name different from the one that was negotiated"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void clientCertificateCasAreNamedToTheClientTrustedOnesAreNot(String engine) throws Exception {
        String conf = MODES.replace("EXTRA", "").replace("ssl_client_certificate ca.crt;", "")
            .replace("server_name on.test;", "server_name on.test; ssl_client_certificate ca.crt;")
            .replace("server_name optional.test;", "server_name optional.test; ssl_trusted_certificate ca.crt;");
        try (TestPortico p = start(engine, conf)) {
            for (String protocol : new String[] {"TLSv1.2", "TLSv1.3"}) {
                List<X500Principal> offered = new ArrayList<>();
                try (SSLSocket s = connect(CERTS.clientContext(GOOD, offered), p.port(8443), "on.test", protocol)) {
                    assertThat(outcome(new RawHttp(s).send("GET / HTTP/1.1\r\nHost: on.test\r\n\r\n").readResponse(false)))
                        .isEqualTo("200 on SUCCESS");
                }
                assertThat(offered).as(engine + " " + protocol).containsExactly(CERTS.ca().getSubjectX500Principal());
                try (SSLSocket s = connect(CERTS.clientContext(GOOD, offered), p.port(8443), "optional.test", protocol)) {
                    assertThat(outcome(new RawHttp(s).send("GET / HTTP/1.1\r\nHost: optional.test\r\n\r\n").readResponse(false)))
                        .isEqualTo("200 optional SUCCESS");
                }
                assertThat(offered).as(engine + " " + protocol).isEmpty();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void depthCountsIntermediatesAsOpenSsl(String engine) throws Exception {
        TestCertificates inter = CERTS.intermediate("Portico Test Intermediate");
        TestCertificates deeper = inter.intermediate("Portico Test Sub-Intermediate");
        TestCertificates.Issued one = inter.client("one-below");
        TestCertificates.Issued two = deeper.client("two-below");
        String conf = MODES.replace("EXTRA", "").replace("ssl_verify_client optional;", "ssl_verify_client optional; ssl_verify_depth 2;");
        try (TestPortico p = start(engine, conf)) {
            int port = p.port(8443);
            // the client sends its own certificate and the intermediates; the root is trusted
            List<X509Certificate> oneChain = List.of(one.cert(), inter.ca());
            List<X509Certificate> twoChain = List.of(two.cert(), deeper.ca(), inter.ca());
            // ssl_verify_depth 1: one intermediate passes (OpenSSL 1.1.0+ counts intermediates), two do not
            assertThat(verdict(port, "noca.test", one, oneChain)).isEqualTo("200 optional_no_ca SUCCESS");
            assertThat(verdict(port, "on.test", two, twoChain)).isEqualTo("400 The SSL certificate error");
            assertThat(verdict(port, "noca.test", two, twoChain)).isEqualTo("400 The SSL certificate error");
            Await.until(Duration.ofSeconds(5), "the log line", () -> p.errorLog().contains("(22:certificate chain too long)"));
            // ssl_verify_depth 2, with or without the root sent along
            assertThat(verdict(port, "optional.test", two, twoChain)).isEqualTo("200 optional SUCCESS");
            assertThat(verdict(port, "optional.test", two, List.of(two.cert(), deeper.ca(), inter.ca(), CERTS.ca())))
                .isEqualTo("200 optional SUCCESS");
            // a missing intermediate: the issuer is unknown, which optional_no_ca lets through
            assertThat(verdict(port, "noca.test", two, List.of(two.cert(), deeper.ca())))
                .isEqualTo("200 optional_no_ca FAILED:unable to get local issuer certificate");
            // a self-signed certificate of its own: refused by optional, passed by optional_no_ca
            TestCertificates.Issued self = OTHER.self();
            assertThat(verdict(port, "optional.test", self, List.of(self.cert()))).isEqualTo("400 The SSL certificate error");
            assertThat(verdict(port, "noca.test", self, List.of(self.cert()))).isEqualTo("200 optional_no_ca FAILED:self-signed certificate");
            // with its root sent along, that root still is not a trusted one
            assertThat(verdict(port, "noca.test", STRANGER, List.of(STRANGER.cert(), OTHER.ca())))
                .isEqualTo("200 optional_no_ca FAILED:self-signed certificate in certificate chain");
        }
    }

    /** The outcome of a request to {@code name} from a fresh client presenting {@code chain}. */
    private static String verdict(int port, String name, TestCertificates.Issued key, List<X509Certificate> chain) throws Exception {
        return outcome(get(CERTS.clientContext(key.key(), chain, null), port, name, name, "/"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void revokedCertificatesAreRefused(String engine) throws Exception {
        TestCertificates.Issued revoked = CERTS.client("revoked");
        String conf = MODES.replace("EXTRA", "").replace("ssl_client_certificate ca.crt;", "ssl_client_certificate ca.crt; ssl_crl crl.pem;");
        try (TestPortico p = start(engine, conf, "crl.pem", CERTS.crl(revoked.cert()))) {
            int port = p.port(8443);
            assertThat(verdict(port, "on.test", GOOD, List.of(GOOD.cert()))).isEqualTo("200 on SUCCESS");
            assertThat(verdict(port, "on.test", revoked, List.of(revoked.cert()))).isEqualTo("400 The SSL certificate error");
            assertThat(verdict(port, "noca.test", revoked, List.of(revoked.cert()))).isEqualTo("400 The SSL certificate error");
            Await.until(Duration.ofSeconds(5), "the log line", () -> p.errorLog().contains("(23:certificate revoked)"));
            // every certificate of the chain needs its issuer's CRL (nginx's CRL_CHECK_ALL): none for the intermediate's
            TestCertificates inter = CERTS.intermediate("Portico CRL Intermediate");
            TestCertificates.Issued below = inter.client("below");
            assertThat(verdict(port, "optional.test", below, List.of(below.cert(), inter.ca()))).isEqualTo("400 The SSL certificate error");
            Await.until(Duration.ofSeconds(5), "the log line", () -> p.errorLog().contains("(3:unable to get certificate CRL)"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void aResumedSessionKeepsItsCertificate(String engine) throws Exception {
        String conf = MODES.replace("EXTRA", "").replace("return 200 \"optional $ssl_client_verify\";",
            "return 200 \"$ssl_session_reused $ssl_client_verify $ssl_client_s_dn\";");
        try (TestPortico p = start(engine, conf.replace("ssl_certificate server.crt;", "ssl_certificate server.crt; ssl_session_cache shared:SSL:1m;"))) {
            SSLContext client = CERTS.clientContext(GOOD);
            for (String protocol : new String[] {"TLSv1.2", "TLSv1.3"}) {
                List<String> seen = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    try (SSLSocket s = connect(client, p.port(8443), "optional.test", protocol)) {
                        seen.add(new RawHttp(s).send("GET / HTTP/1.1\r\nHost: optional.test\r\n\r\n").readResponse(false).bodyText());
                    }
                }
                assertThat(seen).as(engine + " " + protocol).containsExactly(". SUCCESS CN=alice", "r SUCCESS CN=alice");
            }
        }
    }

    @Test
    void configurationErrorsAreNginxs() throws Exception {
        String base = "events {}\nhttp {\n server {\n  listen 8443 ssl;\n  ssl_certificate server.crt; ssl_certificate_key server.key;\n  X\n }\n}\n";
        assertThat(catchThrowable(() -> load(base.replace("X", "ssl_verify_client on;"))))
            .hasMessageContaining("no ssl_client_certificate or ssl_trusted_certificate for ssl_verify_client");
        assertThat(catchThrowable(() -> load(base.replace("X", "ssl_verify_client maybe;"))))
            .hasMessageContaining("invalid value \"maybe\"");
        assertThat(catchThrowable(() -> load(base.replace("X", "ssl_verify_depth -1;"))))
            .hasMessageContaining("\"ssl_verify_depth\" directive invalid number");
        assertThat(catchThrowable(() -> load(base.replace("X", "ssl_verify_client on; ssl_client_certificate missing.crt;"))))
            .hasMessageContaining("SSL_CTX_load_verify_locations(\"").hasMessageContaining("missing.crt\") failed (2: No such file or directory)");
        assertThat(catchThrowable(() -> load(base.replace("X", "ssl_verify_client on; ssl_client_certificate server.key;"))))
            .hasMessageContaining("server.key\") failed (no certificate or crl found)");
        assertThat(catchThrowable(() -> load(base.replace("X", "ssl_verify_client on; ssl_client_certificate server.crt; ssl_crl server.key;"))))
            .hasMessageContaining("X509_LOOKUP_load_file(\"").hasMessageContaining("server.key\") failed (no certificate or crl found)");
        assertThat(catchThrowable(() -> load(base.replace("X", "ssl_crl missing.pem;"))))
            .hasMessageContaining("X509_LOOKUP_load_file(\"").hasMessageContaining("missing.pem\") failed");
        // optional_no_ca needs no CA; the client CA file is not read while verification is off
        load(base.replace("X", "ssl_verify_client optional_no_ca;"));
        load(base.replace("X", "ssl_client_certificate missing.crt;"));
    }

    private static void load(String conf) throws Exception {
        TestPortico.builder().conf(conf).file("conf/server.crt", SERVER.chainPem()).file("conf/server.key", SERVER.keyPem()).load();
    }
}
