package dev.portico.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.Version;
import dev.portico.testing.Launcher.Result;
import dev.portico.testing.Launcher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** nginx's command line through {@code bin/portico}: flags, messages, exit statuses, nothing on stdout but -T. */
class CommandLineTest {
    private static final String OK_CONF = """
        events {}
        http {
            include conf.d/*.conf;
        }
        """;
    private static final String SITE = """
        server {
            listen 127.0.0.1:18999;
            return 200 "site\\n";
        }
        """;

    @TempDir
    Path prefix;

    private Path conf() throws IOException {
        Files.createDirectories(prefix.resolve("conf/conf.d"));
        Files.writeString(prefix.resolve("conf/nginx.conf"), OK_CONF);
        Files.writeString(prefix.resolve("conf/conf.d/site.conf"), SITE);
        return prefix.resolve("conf/nginx.conf");
    }

    private Path nginxLink() throws IOException {
        Path bin = Files.createDirectories(prefix.resolve("sbin"));
        return Files.createSymbolicLink(bin.resolve("nginx"), Launcher.script());
    }

    @Test
    void versionIsPrintedOnStderrAsPorticoWithTheNginxReleaseItFollows() {
        Result r = Launcher.run("-v");
        assertThat(r.exit()).isZero();
        assertThat(r.stdout()).isEmpty();
        assertThat(r.stderr()).isEqualTo("portico version: portico/" + Version.PORTICO + " (nginx/1.30.0)\n");
    }

    @Test
    void linkedAsNginxItSpeaksAsNginx() throws IOException {
        Result v = Launcher.run(nginxLink(), "-v");
        assertThat(v.exit()).isZero();
        assertThat(v.stderr()).isEqualTo("nginx version: nginx/1.30.0 (portico/" + Version.PORTICO + ")\n");

        Files.createDirectories(prefix.resolve("conf"));
        Files.writeString(prefix.resolve("conf/nginx.conf"), "events {}\nbogus on;\n");
        Result t = Launcher.run(prefix.resolve("sbin/nginx"), "-p", prefix.toString(), "-c", "conf/nginx.conf", "-t");
        assertThat(t.exit()).isEqualTo(1);
        assertThat(t.stderrLines()).containsExactly(
            "nginx: [emerg] unknown directive \"bogus\" in " + prefix.resolve("conf/nginx.conf") + ":2",
            "nginx: configuration file " + prefix.resolve("conf/nginx.conf") + " test failed");
    }

    @Test
    void capitalVShowsConfigureArgumentsThatStateWhatIsImplemented() throws IOException {
        Result r = Launcher.run(nginxLink(), "-V");
        assertThat(r.exit()).isZero();
        assertThat(r.stdout()).isEmpty();
        List<String> lines = r.stderrLines();
        assertThat(lines.get(0)).isEqualTo("nginx version: nginx/1.30.0 (portico/" + Version.PORTICO + ")");
        String configure = lines.get(lines.size() - 1);
        assertThat(configure).startsWith("configure arguments: --prefix=" + Launcher.script().getParent().getParent() + "/");
        // modules nginx builds by default that Portico does not have are listed as --without
        assertThat(configure).contains(" --without-http_fastcgi_module", " --without-http_uwsgi_module",
            " --without-http_scgi_module", " --without-http_grpc_module", " --without-http_memcached_module");
        assertThat(configure).doesNotContain("--with-http_stub_status_module");
        // the "http2" directive exists: ngx_http_v2_module is built
        assertThat(configure).contains(" --with-http_ssl_module", " --with-http_v2_module");
    }

    @Test
    void helpShowsVersionAndUsage() {
        Result r = Launcher.run("-h");
        assertThat(r.exit()).isZero();
        assertThat(r.stdout()).isEmpty();
        assertThat(r.stderrLines().get(0)).startsWith("portico version: ");
        assertThat(r.stderrLines().get(1)).isEqualTo("Usage: portico [-?hvVtTq] [-s signal] [-p prefix]");
        assertThat(r.stderr()).contains("  -s signal     : send signal to a master process: stop, quit, reopen, reload\n",
            "  -g directives : set global directives out of configuration file\n");
        assertThat(Launcher.run("-?").stderr()).isEqualTo(r.stderr());
    }

    @Test
    void testingAGoodConfigurationSaysSoAndExitsZero() throws IOException {
        Path conf = conf();
        Result r = Launcher.run("-p", prefix.toString(), "-c", "conf/nginx.conf", "-t");
        assertThat(r.exit()).isZero();
        assertThat(r.stdout()).isEmpty();
        assertThat(r.stderrLines()).containsExactly(
            "portico: the configuration file " + conf + " syntax is ok",
            "portico: configuration file " + conf + " test is successful");
    }

    @Test
    void testingABrokenConfigurationPrintsTheErrorWithFileAndLineAndExitsOne() throws IOException {
        Path conf = conf();
        Files.writeString(prefix.resolve("conf/conf.d/site.conf"), "server {\n    listen 127.0.0.1:18999;\n    retrun 200;\n}\n");
        Result r = Launcher.run("-p", prefix.toString(), "-c", conf.toString(), "-t");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.stdout()).isEmpty();
        assertThat(r.stderrLines()).containsExactly(
            "portico: [emerg] unknown directive \"retrun\" in " + prefix.resolve("conf/conf.d/site.conf") + ":3",
            "portico: configuration file " + conf + " test failed");
        // the error also went to the error log used before the configuration is read
        assertThat(Files.readString(prefix.resolve("logs/error.log")))
            .containsPattern("\\d{4}/\\d\\d/\\d\\d \\d\\d:\\d\\d:\\d\\d \\[emerg\\] \\d+#\\d+: unknown directive \"retrun\" in ");
    }

    @Test
    void quietTestPrintsOnlyErrors() throws IOException {
        conf();
        Result ok = Launcher.run("-q", "-t", "-p", prefix.toString(), "-c", "conf/nginx.conf");
        assertThat(ok.exit()).isZero();
        assertThat(ok.stderr()).isEmpty();
        Files.writeString(prefix.resolve("conf/nginx.conf"), "events {}\nhttp {\n");
        Result bad = Launcher.run("-tq", "-p", prefix.toString(), "-c", "conf/nginx.conf");
        assertThat(bad.exit()).isEqualTo(1);
        assertThat(bad.stderrLines()).containsExactly(
            "portico: [emerg] unexpected end of file, expecting \"}\" in " + prefix.resolve("conf/nginx.conf") + ":3",
            "portico: configuration file " + prefix.resolve("conf/nginx.conf") + " test failed");
    }

    @Test
    void capitalTDumpsEveryFileReadOnStdout() throws IOException {
        Path conf = conf();
        Result r = Launcher.run("-T", "-p", prefix.toString(), "-c", "conf/nginx.conf");
        assertThat(r.exit()).isZero();
        assertThat(r.stderrLines()).hasSize(2);
        assertThat(r.stdout()).isEqualTo(
            "# configuration file " + conf + ":\n" + OK_CONF + "\n"
                + "# configuration file " + prefix.resolve("conf/conf.d/site.conf") + ":\n" + SITE + "\n");
    }

    @Test
    void theDefaultConfigurationFileIsUnderThePrefix() throws IOException {
        Files.createDirectories(prefix.resolve("conf"));
        Files.writeString(prefix.resolve("conf/portico.conf"), "events {}\n");
        Result r = Launcher.run("-p", prefix + "/", "-t");
        assertThat(r.exit()).isZero();
        assertThat(r.stderr()).contains("the configuration file " + prefix.resolve("conf/portico.conf") + " syntax is ok");
    }

    @Test
    void minusEStderrSendsStartupErrorsToStderrInLogLayout() throws IOException {
        conf();
        Files.writeString(prefix.resolve("conf/nginx.conf"), "events {}\nworker_processes none;\n");
        Result r = Launcher.run("-t", "-e", "stderr", "-p", prefix.toString(), "-c", "conf/nginx.conf");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.stderrLines()).hasSize(2);
        assertThat(r.stderrLines().get(0)).matches("\\d{4}/\\d\\d/\\d\\d \\d\\d:\\d\\d:\\d\\d \\[emerg\\] \\d+#\\d+: "
            + "\"worker_processes\" directive invalid value in " + java.util.regex.Pattern.quote(prefix.resolve("conf/nginx.conf") + ":2"));
        assertThat(Files.exists(prefix.resolve("logs/error.log"))).isFalse();
    }

    @Test
    void minusENamesTheErrorLogFileRelativeToThePrefix() throws IOException {
        conf();
        Files.writeString(prefix.resolve("conf/nginx.conf"), "events {}\nhttp { server { listen 70000; } }\n");
        Result r = Launcher.run("-t", "-e", "my-errors.log", "-p", prefix.toString(), "-c", "conf/nginx.conf");
        assertThat(r.exit()).isEqualTo(1);
        String message = "invalid port in \"70000\" of the \"listen\" directive in " + prefix.resolve("conf/nginx.conf") + ":2";
        assertThat(r.stderrLines().get(0)).isEqualTo("portico: [emerg] " + message);
        assertThat(Files.readString(prefix.resolve("my-errors.log"))).contains("[emerg]", message);
    }

    @Test
    void minusGDirectivesAreReadBeforeTheFile() throws IOException {
        conf();
        Files.writeString(prefix.resolve("conf/nginx.conf"), "worker_processes 2;\nevents {}\n");
        Result dup = Launcher.run("-t", "-p", prefix.toString(), "-c", "conf/nginx.conf", "-g", "worker_processes 1;");
        assertThat(dup.stderrLines().get(0))
            .isEqualTo("portico: [emerg] \"worker_processes\" directive is duplicate in " + prefix.resolve("conf/nginx.conf") + ":1");
        Result ok = Launcher.run("-t", "-p", prefix.toString(), "-c", "conf/nginx.conf", "-g", "daemon off; master_process on;");
        assertThat(ok.exit()).isZero();
    }

    @Test
    void minusGErrorsSayInCommandLine() throws IOException {
        conf();
        String[][] cases = {
            {"bogus;", "unknown directive \"bogus\" in command line"},
            {"daemon off", "unexpected end of parameter, expecting \";\" in command line"},
            {"events { }", "block directives are not supported in -g option in command line"},
            {"daemon maybe;", "invalid value \"maybe\" in \"daemon\" directive, it must be \"on\" or \"off\" in command line"},
        };
        for (String[] c : cases) {
            Result r = Launcher.run("-t", "-p", prefix.toString(), "-c", "conf/nginx.conf", "-g", c[0]);
            assertThat(r.exit()).as(c[0]).isEqualTo(1);
            assertThat(r.stderrLines().get(0)).as(c[0]).isEqualTo("portico: [emerg] " + c[1]);
        }
    }

    @Test
    void signallingWithoutARunningInstanceSaysThePidFileIsMissing() throws IOException {
        conf();
        Result r = Launcher.run("-s", "reload", "-p", prefix.toString(), "-c", "conf/nginx.conf");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.stdout()).isEmpty();
        assertThat(r.stderrLines()).containsExactly(
            "portico: [error] open() \"" + prefix.resolve("logs/nginx.pid") + "\" failed (2: No such file or directory)");
    }

    @Test
    void signallingAStalePidSaysNoSuchProcess() throws IOException {
        conf();
        Files.createDirectories(prefix.resolve("logs"));
        Files.writeString(prefix.resolve("logs/nginx.pid"), "999999999\n");
        Result r = Launcher.run("-s", "quit", "-p", prefix.toString(), "-c", "conf/nginx.conf");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.stderrLines()).containsExactly("portico: [alert] kill(999999999, 3) failed (3: No such process)");
    }

    @Test
    void badOptionsAreReportedAsNginxDoes() {
        assertThat(Launcher.run("-x").stderrLines()).containsExactly("portico: invalid option: \"x\"");
        assertThat(Launcher.run("-s", "restart").stderrLines()).containsExactly("portico: invalid option: \"-s restart\"");
        assertThat(Launcher.run("-t", "-c").stderrLines()).containsExactly("portico: option \"-c\" requires file name");
        assertThat(Launcher.run("-t", "-p").stderrLines()).containsExactly("portico: option \"-p\" requires directory name");
        assertThat(Launcher.run("-t", "-g").stderrLines()).containsExactly("portico: option \"-g\" requires parameter");
        Result r = Launcher.run("stray");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.stderrLines()).containsExactly("portico: invalid option: \"stray\"");
    }
}
