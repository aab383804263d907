package dev.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.Await;
import dev.portico.testing.PortMap;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestCertificates;
import dev.portico.testing.TestPortico;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code proxy_ssl_certificate} and {@code proxy_ssl_certificate_key} with variables (nginx
 * 1.21.0+): each request presents the certificate its variables name to a BoringSSL backend
 * that asks for one and answers with the subject it got; connections made with different
 * certificates never share the keep-alive cache; a file that cannot be read is nginx's 500 and
 * log line; {@code proxy_ssl_certificate_cache} keeps what was read, {@code off} looks again.
 */
class UpstreamClientCertificatesTest {
    private static final TestCertificates CA = new TestCertificates();
    private static final TestCertificates.Issued BACKEND = CA.rsa("backend.test", "127.0.0.1");
    private static final TestCertificates CLIENT_CA = new TestCertificates();
    private static final TestCertificates.Issued ALICE = CLIENT_CA.client("alice");
    private static final TestCertificates.Issued BOB = CLIENT_CA.client("bob");
    private static final TestCertificates.Issued CAROL = CLIENT_CA.client("carol");

    private static final String LOCATIONS = """
        location / {
            proxy_pass https://backend.test;
            proxy_ssl_certificate certs/$arg_who.crt;
            proxy_ssl_certificate_key certs/$arg_who.key;
        }
        location /raw {
            proxy_pass https://backend.test;
            proxy_ssl_certificate $arg_cert;
            proxy_ssl_certificate_key $arg_key;
        }
        location /fresh {
            proxy_pass https://fresh;
            proxy_ssl_certificate certs/$arg_who.crt;
            proxy_ssl_certificate_key certs/$arg_who.key;
        }
        location /kept {
            proxy_pass https://fresh;
            proxy_ssl_certificate certs/$arg_who.crt;
            proxy_ssl_certificate_key certs/$arg_who.key;
            proxy_ssl_certificate_cache max=10 inactive=1h valid=1h;
        }
        """;

    @AfterEach
    void engineBack() {
        System.clearProperty("portico.tls.engine");
    }

    /** The backend on 17443 (requiring a client certificate, or only asking for one) and Portico in front of it. */
    private record Running(PortMap ports, TlsBackend backend, TestPortico portico) implements AutoCloseable {
        static Running start(String engine, boolean require) {
            PortMap ports = new PortMap();
            TlsBackend b = require ? TlsBackend.requiringClientCertificate(ports, 17443, BACKEND, CLIENT_CA.ca())
                : TlsBackend.askingForClientCertificate(ports, 17443, BACKEND, CLIENT_CA.ca());
            try {
                return new Running(ports, b, UpstreamClientCertificatesTest.portico(ports, engine));
            } catch (RuntimeException e) {
                b.close();
                throw e;
            }
        }

        @Override
        public void close() {
            portico.close();
            backend.close();
        }
    }

    private static TestPortico portico(PortMap ports, String engine) {
        System.setProperty("portico.tls.engine", engine);
        String conf = "error_log logs/error.log info;\nevents {}\nhttp {\n"
            + " upstream backend.test { server 127.0.0.1:17443; keepalive 8; }\n"
            // no keep-alive: every request makes a connection, and reads its certificate
            + " upstream fresh { server 127.0.0.1:17443; keepalive 0; }\n"
            + " server { listen 127.0.0.1:8080; server_name front;\n" + LOCATIONS + "\n }\n}\n";
        return TestPortico.builder().ports(ports).conf(conf)
            .file("conf/certs/alice.crt", ALICE.chainPem()).file("conf/certs/alice.key", ALICE.keyPem())
            .file("conf/certs/bob.crt", BOB.chainPem()).file("conf/certs/bob.key", BOB.keyPem())
            .start();
    }

    private static RawHttp.Response get(TestPortico p, String path) {
        try (RawHttp c = new RawHttp(p.port(8080))) {
            return c.send("GET " + path + " HTTP/1.1\r\nHost: front\r\n\r\n").readResponse(false);
        }
    }

    /** The client certificate the backend saw, and the connection it came on. */
    private static String presented(TestPortico p, String path) {
        RawHttp.Response r = get(p, path);
        assertThat(r.status()).as(path).isEqualTo(200);
        return r.header("x-client-subject") + " on " + r.bodyText();
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void eachRequestPresentsTheCertificateItNamesOnConnectionsOfItsOwn(String engine) throws Exception {
        try (Running r = Running.start(engine, true)) {
            TestPortico p = r.portico();
            assertThat(presented(p, "/?who=alice")).isEqualTo("CN=alice on connection 1");
            assertThat(presented(p, "/?who=bob")).isEqualTo("CN=bob on connection 2");
            // each kept connection serves only requests naming its certificate
            assertThat(presented(p, "/?who=alice")).isEqualTo("CN=alice on connection 1");
            assertThat(presented(p, "/?who=bob")).isEqualTo("CN=bob on connection 2");
            assertThat(r.backend().handshakes).extracting(TlsBackend.Handshake::clientSubject).containsExactly("CN=alice", "CN=bob");
        }
    }

    @Test
    void anEmptyNamePresentsNoCertificate() throws Exception {
        try (Running r = Running.start("openssl", false)) {
            TestPortico p = r.portico();
            assertThat(presented(p, "/raw?cert=certs/bob.crt&key=certs/bob.key")).isEqualTo("CN=bob on connection 1");
            assertThat(presented(p, "/raw")).isEqualTo("none on connection 2");
            assertThat(presented(p, "/raw?cert=certs/bob.crt&key=certs/bob.key")).isEqualTo("CN=bob on connection 1");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"openssl", "jdk"})
    void aCertificateThatCannotBeReadIs500AndNginxsLogLine(String engine) throws Exception {
        try (Running r = Running.start(engine, true)) {
            TestPortico p = r.portico();
            assertThat(get(p, "/?who=nobody").status()).isEqualTo(500);
            Path file = p.prefix().resolve("conf/certs/nobody.crt");
            Await.until(Duration.ofSeconds(10), "the log line", () -> p.errorLog().contains("[error]"));
            assertThat(p.errorLog()).contains("cannot load certificate \"" + file + "\": BIO_new_file() failed"
                + " (2: No such file or directory) while connecting to upstream, client: 127.0.0.1, server: front,"
                + " request: \"GET /?who=nobody HTTP/1.1\", upstream: \"https://127.0.0.1:" + r.ports().get(17443) + "/?who=nobody\","
                + " host: \"front\"");
            // a key that does not go with its certificate
            p.writeFile("conf/certs/mixed.crt", ALICE.chainPem());
            p.writeFile("conf/certs/mixed.key", CLIENT_CA.rsa("other").keyPem());
            assertThat(get(p, "/?who=mixed").status()).isEqualTo(500);
            Await.until(Duration.ofSeconds(10), "the log line", () -> p.errorLog().contains("SSL_use_PrivateKey(\""));
            assertThat(r.backend().requests.get()).isZero();
            // the others still go through
            assertThat(presented(p, "/?who=alice")).isEqualTo("CN=alice on connection 3");
        }
    }

    @Test
    void withoutACacheAReplacedFileIsReadAgainWithOneItIsKept() throws Exception {
        try (Running r = Running.start("openssl", true)) {
            TestPortico p = r.portico();
            assertThat(presented(p, "/fresh?who=alice")).startsWith("CN=alice on");
            assertThat(presented(p, "/kept?who=alice")).startsWith("CN=alice on");
            // renewed as certbot renews: new files moved into place
            replace(p.prefix().resolve("conf/certs/alice.crt"), CAROL.chainPem());
            replace(p.prefix().resolve("conf/certs/alice.key"), CAROL.keyPem());
            assertThat(presented(p, "/fresh?who=alice")).startsWith("CN=carol on");
            assertThat(presented(p, "/kept?who=alice")).startsWith("CN=alice on");
            assertThat(r.backend().connections()).isEqualTo(4);
        }
    }

    private static void replace(Path file, String text) throws IOException {
        Path next = file.resolveSibling(file.getFileName() + ".new");
        Files.writeString(next, text);
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
