package dev.portico.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.Await;
import dev.portico.testing.Launcher;
import dev.portico.testing.Launcher.Running;
import dev.portico.testing.PortMap;
import dev.portico.testing.TestPortico;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code PORTICO_WATCH_CONFIG=on}: a changed configuration file is served without a signal, the
 * way editors save files and the way Kubernetes updates a ConfigMap volume, and a broken one
 * leaves the running configuration in force, as {@code -s reload} does.
 */
class ConfigWatchTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Duration SETTLE = Duration.ofMillis(50);
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static String conf(String body) {
        return "error_log logs/error.log notice;\nevents {}\nhttp {\n"
            + "    server { listen 127.0.0.1:18080; location / { return 200 \"" + body + "\\n\"; } }\n}\n";
    }

    private static String get(URI uri) {
        try {
            HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
            return r.statusCode() + " " + r.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static void awaitBody(URI uri, String body) {
        Await.until(WAIT, "\"" + body + "\" served", () -> get(uri).equals("200 " + body + "\n"));
    }

    /** As editors save: the new text goes to another file, renamed over the old one. */
    private static void save(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".swp");
        Files.writeString(tmp, text);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static long lines(String log, String text) {
        return log.lines().filter(l -> l.contains(text)).count();
    }

    @Test
    void aSavedFileIsServedWithoutASignal() throws Exception {
        try (TestPortico p = TestPortico.start(conf("one"));
             ConfigWatch watch = ConfigWatch.start(p.server(), SETTLE)) {
            URI uri = p.uri(18080, "/");
            assertThat(get(uri)).isEqualTo("200 one\n");

            save(p.prefix().resolve("conf/nginx.conf"), p.portMap().rewrite(conf("two")));
            awaitBody(uri, "two");
            assertThat(p.errorLog()).contains("configuration file " + p.prefix().resolve("conf/nginx.conf")
                + " changed, reconfiguring");
        }
    }

    @Test
    void anIncludedFileIsWatchedToo() throws Exception {
        String main = "error_log logs/error.log notice;\nevents {}\nhttp { include conf.d/*.conf; }\n";
        try (TestPortico p = TestPortico.builder().conf(main)
                .file("conf/conf.d/site.conf", "server { listen 127.0.0.1:18080; return 200 \"one\\n\"; }\n").start();
             ConfigWatch watch = ConfigWatch.start(p.server(), SETTLE)) {
            URI uri = p.uri(18080, "/");
            assertThat(get(uri)).isEqualTo("200 one\n");
            // written in place, not renamed: a modification of the file
            p.writeFile("conf/conf.d/site.conf", "server { listen 127.0.0.1:18080; return 200 \"two\\n\"; }\n");
            awaitBody(uri, "two");
        }
    }

    /**
     * Kubernetes's ConfigMap volume: conf/nginx.conf -> ..data/nginx.conf, ..data -> a timestamped
     * directory; an update writes a new directory and renames a new ..data symlink over the old.
     */
    @Test
    void aConfigMapUpdateIsServed() throws Exception {
        try (TestPortico p = TestPortico.start(conf("one"))) {
            Path dir = p.prefix().resolve("conf");
            Path first = dir.resolve("..2026_01_01_00_00_00.000000001");
            Files.createDirectories(first);
            Files.writeString(first.resolve("nginx.conf"), Files.readString(dir.resolve("nginx.conf")));
            Files.createSymbolicLink(dir.resolve("..data"), first.getFileName());
            Path link = dir.resolve("nginx.conf.link");
            Files.createSymbolicLink(link, Path.of("..data/nginx.conf"));
            Files.move(link, dir.resolve("nginx.conf"), StandardCopyOption.ATOMIC_MOVE);

            try (ConfigWatch watch = ConfigWatch.start(p.server(), SETTLE)) {
                URI uri = p.uri(18080, "/");
                Path second = dir.resolve("..2026_01_01_00_01_00.000000002");
                Files.createDirectories(second);
                Files.writeString(second.resolve("nginx.conf"), p.portMap().rewrite(conf("two")));
                Files.createSymbolicLink(dir.resolve("..data_tmp"), second.getFileName());
                Files.move(dir.resolve("..data_tmp"), dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);
                deleteTree(first);

                awaitBody(uri, "two");
                assertThat(p.errorLog()).contains("configuration file " + dir.resolve("nginx.conf") + " changed, reconfiguring");
            }
        }
    }

    @Test
    void aBrokenFileIsTriedOnceAndTheRunningConfigurationStays() throws Exception {
        try (TestPortico p = TestPortico.start(conf("one"));
             ConfigWatch watch = ConfigWatch.start(p.server(), SETTLE)) {
            URI uri = p.uri(18080, "/");
            Path file = p.prefix().resolve("conf/nginx.conf");
            save(file, "error_log logs/error.log notice;\nevents {}\nhttp { retrun 200; }\n");
            Await.until(WAIT, "the failed reload in the error log", () -> p.errorLog().contains("the running one stays"));
            assertThat(p.errorLog()).contains("[emerg]").contains("unknown directive \"retrun\" in " + file + ":3");
            assertThat(get(uri)).isEqualTo("200 one\n");

            // another event in the directory (the server's own files may be there): no second attempt
            int checks = watch.checks();
            Files.writeString(p.prefix().resolve("conf/notes.txt"), "unrelated\n");
            Await.until(WAIT, "the files read again", () -> watch.checks() > checks);
            assertThat(lines(p.errorLog(), "changed, reconfiguring")).isEqualTo(1);

            save(file, p.portMap().rewrite(conf("three")));
            awaitBody(uri, "three");
            assertThat(lines(p.errorLog(), "changed, reconfiguring")).isEqualTo(2);
        }
    }

    @Test
    void onlyOnOrOffIsUnderstood() {
        assertThat(ConfigWatch.startIfAsked(null, null)).isNull();
        assertThat(ConfigWatch.startIfAsked("off", null)).isNull();
        assertThat(ConfigWatch.startIfAsked("sometimes", null)).isNull();
    }

    /** The launcher's JVM starts the watch when the environment asks for it. */
    @Test
    void bin_porticoWatchesWhenTheEnvironmentSaysSo(@TempDir Path prefix) throws Exception {
        PortMap ports = new PortMap();
        Path file = prefix.resolve("conf/nginx.conf");
        Files.createDirectories(file.getParent());
        Files.writeString(file, ports.rewrite("daemon off;\n" + conf("one")));
        ProcessBuilder pb = Launcher.builder(Launcher.command(Launcher.script(), "-p", prefix + "/", "-c", "conf/nginx.conf"));
        pb.environment().put(ConfigWatch.ENV, "on");
        try (Running r = Launcher.start(pb)) {
            Path pid = prefix.resolve("logs/nginx.pid");
            Await.until(WAIT, "the pid file (stderr: " + r.stderr() + ")", () -> Files.exists(pid) || !r.process().isAlive());
            URI uri = URI.create("http://127.0.0.1:" + ports.get(18080) + "/");
            assertThat(get(uri)).isEqualTo("200 one\n");

            save(file, ports.rewrite("daemon off;\n" + conf("two")));
            awaitBody(uri, "two");
            assertThat(Files.readString(prefix.resolve("logs/error.log")))
                .contains("watching the configuration files for changes (PORTICO_WATCH_CONFIG)");

            Launcher.kill("QUIT", r.pid());
            assertThat(r.waitFor(WAIT)).isZero();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
