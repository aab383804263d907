package dev.portico.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.portico.core.Prefix;
import dev.portico.lifecycle.ModuleList;
import dev.portico.lifecycle.SnapshotBuilder;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The configuration files this repository ships: conf/ (what bin/portico runs) and docs/examples/. */
class ShippedConfigurationTest {
    private static final Path ROOT = Path.of(System.getProperty("user.dir"));

    @TempDir
    Path prefix;

    /** The default site needs static files (root, index) and conf/mime.types, which land with the static-files module. */
    private static void assumeStaticFiles() {
        assumeTrue(ModuleList.table().get("root") != null && ModuleList.table().get("index") != null
            && Files.exists(ROOT.resolve("conf/mime.types")), "static files are not in this build yet");
    }

    @Test
    void theDefaultConfigurationIsValid() throws ConfigException {
        assumeStaticFiles();
        SnapshotBuilder.build(new Prefix(ROOT, Path.of("conf/portico.conf")), null);
    }

    @Test
    void theDefaultConfigurationServesTheWelcomePageThroughTheProxyAndHealthz() throws IOException {
        assumeStaticFiles();
        TestPortico.Builder b = TestPortico.builder().prefix(prefix)
            .conf(Files.readString(ROOT.resolve("conf/portico.conf")))
            .file("conf/mime.types", Files.readString(ROOT.resolve("conf/mime.types")))
            .file("conf/conf.d/default.conf", Files.readString(ROOT.resolve("conf/conf.d/default.conf")))
            .file("html/index.html", Files.readAllBytes(ROOT.resolve("html/index.html")))
            .file("html/50x.html", Files.readAllBytes(ROOT.resolve("html/50x.html")));
        try (TestPortico p = b.start(); RawHttp c = new RawHttp(p.port(8080))) {
            RawHttp.Response page = c.send("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n").readResponse(false);
            assertThat(page.status()).isEqualTo(200);
            assertThat(page.bodyText()).contains("Welcome to Portico");
            // the page came from the application server behind the proxy, whose address stays hidden
            assertThat(page.header("Server")).startsWith("portico");
            // the access log is written off the event loop: wait for the line
            dev.portico.testing.Await.until(java.time.Duration.ofSeconds(10), "the access log line",
                () -> p.readFile("logs/access.log").contains("\"GET / HTTP/1.1\" 200"));
            RawHttp.Response health = c.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n").readResponse(false);
            assertThat(health.bodyText()).isEqualTo("ok\n");
        }
    }

    @Test
    void theDefaultConfigurationAnswersWithThe50xPageWhenTheApplicationIsDown() throws IOException {
        assumeStaticFiles();
        String site = Files.readString(ROOT.resolve("conf/conf.d/default.conf"));
        // the application server block removed: nothing listens on its port any more
        String withoutApp = site.substring(0, site.indexOf("# The stand-in application"));
        TestPortico.Builder b = TestPortico.builder().prefix(prefix)
            .conf(Files.readString(ROOT.resolve("conf/portico.conf")))
            .file("conf/mime.types", Files.readString(ROOT.resolve("conf/mime.types")))
            .file("conf/conf.d/default.conf", withoutApp)
            .file("html/50x.html", Files.readAllBytes(ROOT.resolve("html/50x.html")));
        try (TestPortico p = b.start(); RawHttp c = new RawHttp(p.port(8080))) {
            RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n").readResponse(false);
            assertThat(r.status()).isEqualTo(502);
            assertThat(r.bodyText()).isEqualTo(Files.readString(ROOT.resolve("html/50x.html")));
            assertThat(r.bodyText()).doesNotContain(String.valueOf(p.port(8081)));
        }
    }

    @Test
    void theDefaultConfigurationRunsInTheForegroundAndLogsToTheTerminal() throws IOException {
        String main = Files.readString(ROOT.resolve("conf/portico.conf"));
        assertThat(main).containsPattern("(?m)^daemon off;").containsPattern("(?m)^error_log stderr")
            .contains("include conf.d/*.conf;", "include mime.types;");
        assertThat(Files.readString(ROOT.resolve("conf/conf.d/default.conf"))).contains("listen 127.0.0.1:8080;");
    }

    static Stream<Path> examples() throws IOException {
        try (Stream<Path> s = Files.list(ROOT.resolve("docs/examples"))) {
            List<Path> l = s.filter(p -> p.toString().endsWith(".conf")).sorted().toList();
            return l.stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void everyExampleIsAcceptedByTheConfigurationTest(Path example) throws Exception {
        // as "portico -t -c example": with the shipped mime.types beside it, if there is one yet
        Files.createDirectories(prefix.resolve("conf"));
        Files.copy(example, prefix.resolve("conf").resolve(example.getFileName()));
        if (Files.exists(ROOT.resolve("conf/mime.types"))) {
            Files.copy(ROOT.resolve("conf/mime.types"), prefix.resolve("conf/mime.types"));
        }
        certificatesFor(Files.readString(example));
        SnapshotBuilder.build(new Prefix(prefix, Path.of("conf").resolve(example.getFileName())), null);
    }

    /** An example's certificate files are the user's own: test ones stand in for them. */
    private void certificatesFor(String conf) throws IOException {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^\\s*(\\w+) ([^;$\\s]+);").matcher(conf);
        dev.portico.testing.TestCertificates.Issued cert = null;
        while (m.find()) {
            String directive = m.group(1);
            boolean isKey = directive.endsWith("certificate_key");
            if (!isKey && !directive.endsWith("certificate")) {
                continue;
            }
            if (cert == null) {
                cert = new dev.portico.testing.TestCertificates().rsa("localhost");
            }
            if (Path.of(m.group(2)).isAbsolute()) {
                // a system file (the CA bundle): read as it is, never written
                continue;
            }
            Path file = prefix.resolve("conf").resolve(m.group(2));
            Files.createDirectories(file.getParent());
            Files.writeString(file, isKey ? cert.keyPem() : cert.chainPem());
        }
    }
}
