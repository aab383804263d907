package dev.portico.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.portico.testing.Await;
import dev.portico.testing.Launcher.Running;
import dev.portico.testing.Launcher;
import dev.portico.testing.PortMap;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/portico} as the master process, as init scripts and test harnesses drive nginx:
 * {@code BIN -p /abs/prefix/ -c nginx.conf -e error.log}, the pid file, signals, daemon mode.
 */
class LauncherTest {
    private static final Duration START = Duration.ofSeconds(20);
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path prefix;
    private final PortMap ports = new PortMap();

    private void writeConf(String text) throws IOException {
        Files.createDirectories(prefix.resolve("conf"));
        Files.writeString(prefix.resolve("conf/nginx.conf"), ports.rewrite(text));
    }

    private static String conf(boolean daemon, String body) {
        return "daemon " + (daemon ? "on" : "off") + ";\nevents {}\nhttp {\n"
            + "    server { listen 127.0.0.1:18080; location / { return 200 \"" + body + "\\n\"; } }\n}\n";
    }

    private Path pidFile() {
        return prefix.resolve("logs/nginx.pid");
    }

    private long pidInFile() {
        try {
            return Long.parseLong(Files.readString(pidFile()).trim());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private String get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports.get(18080) + path))
            .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() + " " + r.body();
    }

    private Running startForeground(String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("-p", prefix + "/", "-c", "conf/nginx.conf", "-e", "error.log"));
        args.addAll(List.of(extra));
        Running r = Launcher.start(args.toArray(String[]::new));
        Await.until(START, "the pid file (stderr: " + r.stderr() + ")", () -> Files.exists(pidFile()) || !r.process().isAlive());
        return r;
    }

    private static void assertNoThreadDump(Running r) {
        assertThat(r.stderr()).doesNotContain("Full thread dump");
        assertThat(r.stdout()).doesNotContain("Full thread dump");
    }

    @Test
    void daemonOffTheStartedProcessIsTheMasterAndTheListenerAcceptsOnceThePidFileExists() throws Exception {
        writeConf(conf(false, "hello"));
        long started = System.nanoTime();
        try (Running r = startForeground()) {
            assertThat(r.process().isAlive()).as("running; stderr: %s", r.stderr()).isTrue();
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertThat(pidInFile()).isEqualTo(r.pid());
            // no retry: the pid file appears only after every listener accepts
            assertThat(get("/")).isEqualTo("200 hello\n");
            assertThat(millis).as("start-up time").isLessThan(10_000);

            assertThat(Launcher.run("-s", "quit", "-p", prefix.toString(), "-c", "conf/nginx.conf").exit()).isZero();
            assertThat(r.waitFor(START)).isZero();
            assertThat(Files.exists(pidFile())).as("pid file removed at exit").isFalse();
            assertThat(r.stdout()).isEmpty();
            assertThat(r.stderr()).isEmpty();
        }
    }

    @Test
    void reloadAndReopenThroughMinusSAndStopEndsIt() throws Exception {
        writeConf("error_log logs/error.log notice;\n" + conf(false, "one"));
        try (Running r = startForeground()) {
            assertThat(get("/")).isEqualTo("200 one\n");
            writeConf("error_log logs/error.log notice;\n" + conf(false, "two"));
            assertThat(Launcher.run("-s", "reload", "-p", prefix.toString(), "-c", "conf/nginx.conf").exit()).isZero();
            Await.until(START, "the reloaded configuration", () -> {
                try {
                    return get("/").equals("200 two\n");
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            Path log = prefix.resolve("logs/error.log");
            Path rotated = prefix.resolve("logs/error.log.1");
            Files.move(log, rotated);
            assertThat(Launcher.run("-s", "reopen", "-p", prefix.toString(), "-c", "conf/nginx.conf").exit()).isZero();
            Await.until(START, "a new error log", () -> Files.exists(log));

            assertThat(Launcher.run("-s", "stop", "-p", prefix.toString(), "-c", "conf/nginx.conf").exit()).isZero();
            assertThat(r.waitFor(START)).isZero();
            assertThat(Files.readString(rotated)).contains("signal 1 (SIGHUP) received, reconfiguring", "signal 10 (SIGUSR1) received, reopening");
            assertThat(Files.readString(log)).contains("signal 15 (SIGTERM) received, exiting", "exit");
            assertThat(r.stdout()).isEmpty();
        }
    }

    @Test
    void killQuitStopsGracefullyWithoutAThreadDump() throws Exception {
        writeConf(conf(false, "q"));
        try (Running r = startForeground()) {
            assertThat(get("/")).isEqualTo("200 q\n");
            Launcher.kill("QUIT", pidInFile());
            assertThat(r.waitFor(START)).isZero();
            assertNoThreadDump(r);
            assertThat(Files.exists(pidFile())).isFalse();
        }
    }

    @Test
    void signalsWorkWhenStartedInTheBackgroundOfAShellScript() throws Exception {
        // a shell starts background jobs with SIGINT and SIGQUIT ignored: the launcher must still honour them
        writeConf(conf(false, "bg"));
        for (String signal : List.of("QUIT", "INT")) {
            ProcessBuilder pb = Launcher.builder(List.of("sh", "-c", "\"$@\" & wait $!", "sh", Launcher.script().toString(),
                "-p", prefix.toString(), "-c", "conf/nginx.conf", "-e", "error.log"));
            try (Running r = Launcher.start(pb)) {
                Await.until(START, "the pid file", () -> Files.exists(pidFile()));
                assertThat(get("/")).isEqualTo("200 bg\n");
                Launcher.kill(signal, pidInFile());
                assertThat(r.waitFor(START)).as(signal).isZero();
                assertNoThreadDump(r);
                Await.until(START, "the pid file to go", () -> !Files.exists(pidFile()));
            }
        }
    }

    @Test
    void startsWhenStandardErrorIsClosed() throws Exception {
        writeConf(conf(false, "no stderr"));
        ProcessBuilder pb = Launcher.builder(List.of("sh", "-c", "exec \"$@\" 2>&-", "sh", Launcher.script().toString(),
            "-p", prefix.toString(), "-c", "conf/nginx.conf", "-e", "error.log"));
        try (Running r = Launcher.start(pb)) {
            Await.until(START, "the pid file", () -> Files.exists(pidFile()) || !r.process().isAlive());
            assertThat(get("/")).isEqualTo("200 no stderr\n");
            assertThat(Launcher.run("-s", "quit", "-p", prefix.toString(), "-c", "conf/nginx.conf").exit()).isZero();
            assertThat(r.waitFor(START)).isZero();
            assertThat(r.stdout()).isEmpty();
        }
    }

    @Test
    void daemonOnReturnsOnceListeningAndLeavesADetachedMasterThatMinusSQuitStops() throws Exception {
        writeConf(conf(true, "daemon"));
        ProcessBuilder pb = Launcher.builder(Launcher.command(Launcher.script(), "-p", prefix.toString(), "-c", "conf/nginx.conf"));
        Process p = pb.start();
        long master = -1;
        try {
            // the caller's pipes reach end of file: the daemon keeps none of them
            String out = new String(readAll(p.getInputStream()), StandardCharsets.UTF_8);
            String err = new String(readAll(p.getErrorStream()), StandardCharsets.UTF_8);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as("exit status; stderr: %s", err).isZero();
            assertThat(out).isEmpty();
            assertThat(err).isEmpty();

            assertThat(get("/")).isEqualTo("200 daemon\n");
            master = pidInFile();
            assertThat(master).isNotEqualTo(p.pid());
            assertThat(ProcessHandle.of(master)).isPresent().get().matches(ProcessHandle::isAlive);

            assertThat(Launcher.run("-s", "quit", "-p", prefix.toString(), "-c", "conf/nginx.conf").exit()).isZero();
            long m = master;
            Await.until(START, "the daemon to exit", () -> ProcessHandle.of(m).map(h -> !h.isAlive()).orElse(true));
            Await.until(START, "the pid file to go", () -> !Files.exists(pidFile()));
        } finally {
            if (master > 0) {
                ProcessHandle.of(master).ifPresent(h -> {
                    h.descendants().forEach(ProcessHandle::destroyForcibly);
                    h.destroyForcibly();
                });
            }
            p.destroyForcibly();
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        try (in) {
            return in.readAllBytes();
        }
    }

    @Test
    void aBusyPortIsABindErrorAndExitStatusOne() throws Exception {
        writeConf(conf(false, "never"));
        int port = ports.get(18080);
        try (ServerSocket taken = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
            Launcher.Result r = Launcher.run("-p", prefix.toString(), "-c", "conf/nginx.conf", "-e", "error.log");
            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.stderrLines()).contains("portico: [emerg] bind() to 127.0.0.1:" + port + " failed (98: Address already in use)");
            assertThat(Files.readString(prefix.resolve("error.log")))
                .contains("[emerg]", "bind() to 127.0.0.1:" + port + " failed (98: Address already in use)");
            assertThat(r.stdout()).isEmpty();
            assertThat(Files.exists(pidFile())).isFalse();
        }
    }

    @Test
    void aConfigurationErrorAtStartIsPrintedAndExitsOne() throws Exception {
        writeConf("daemon off;\nevents {}\nhttp { server { listen 127.0.0.1:18080; locaton / { } } }\n");
        Launcher.Result r = Launcher.run("-p", prefix.toString(), "-c", "conf/nginx.conf", "-e", "error.log");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.stderrLines()).containsExactly(
            "portico: [emerg] unknown directive \"locaton\" in " + prefix.resolve("conf/nginx.conf") + ":3");
    }

    @Test
    void runsOnJava25WithoutWarnings() throws Exception {
        Path java25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");
        assumeTrue(Files.isExecutable(java25.resolve("bin/java")), "no Java 25 here");
        writeConf(conf(false, "on 25"));
        ProcessBuilder pb = Launcher.builder(Launcher.command(Launcher.script(),
            "-p", prefix.toString(), "-c", "conf/nginx.conf", "-e", "error.log"));
        pb.environment().put("JAVA_HOME", java25.toString());
        try (Running r = Launcher.start(pb)) {
            Await.until(START, "the pid file", () -> Files.exists(pidFile()) || !r.process().isAlive());
            assertThat(get("/")).isEqualTo("200 on 25\n");
            Launcher.kill("QUIT", pidInFile());
            assertThat(r.waitFor(START)).isZero();
            // no JNI or sun.misc.Unsafe warnings: the launcher passes the options Java 25 wants
            assertThat(r.stderr()).isEmpty();
            assertThat(r.stdout()).isEmpty();
        }
    }

    @Test
    void theJvmStopsWhenItsMasterIsKilled() throws Exception {
        writeConf(conf(false, "orphan"));
        try (Running r = startForeground()) {
            List<ProcessHandle> children = r.process().descendants().toList();
            assertThat(children).isNotEmpty();
            r.process().destroyForcibly();
            Await.until(START, "the supervisor and JVM to exit",
                () -> children.stream().noneMatch(ProcessHandle::isAlive));
        }
    }

    @Test
    void linkedAsNginxTheServerFieldAndPagesStillSayPortico() throws Exception {
        writeConf(conf(false, "hello").replace("location / {", "location /gone { return 404; }\n        location / {"));
        Path link = Files.createSymbolicLink(Files.createDirectories(prefix.resolve("sbin")).resolve("nginx"), Launcher.script());
        ProcessBuilder pb = Launcher.builder(Launcher.command(link, "-p", prefix + "/", "-c", "conf/nginx.conf", "-e", "error.log"));
        try (Running r = Launcher.start(pb)) {
            Await.until(START, "the pid file (stderr: " + r.stderr() + ")", () -> Files.exists(pidFile()) || !r.process().isAlive());
            HttpResponse<String> missing = CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports.get(18080) + "/gone"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            // the product answering is named, whatever name it was started under
            assertThat(missing.headers().firstValue("Server")).contains("portico/" + dev.portico.Version.PORTICO);
            assertThat(missing.body()).contains("<hr><center>portico/" + dev.portico.Version.PORTICO + "</center>");
            Launcher.kill("TERM", pidInFile());
            assertThat(r.waitFor(START)).isZero();
        }
    }
}
