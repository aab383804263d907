package dev.portico.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.Await;
import dev.portico.testing.Launcher;
import dev.portico.testing.Launcher.Result;
import dev.portico.testing.Launcher.Running;
import dev.portico.testing.PortMap;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An installed release: the launcher in HOME/bin, HOME/lib/layout naming the prefix and the
 * default configuration file, error log and pid file (as the Debian package's FHS paths do), and
 * a command line that names none of them.
 */
class LayoutTest {
    @TempDir
    Path root;

    private Path install() throws IOException {
        Path home = root.resolve("usr/share/portico");
        Files.createDirectories(home.resolve("bin"));
        Files.createDirectories(home.resolve("lib"));
        Files.copy(Launcher.script(), home.resolve("bin/portico"));
        home.resolve("bin/portico").toFile().setExecutable(true);
        Files.writeString(home.resolve("lib/layout"), "# paths of this installation\n"
            + "prefix=" + root.resolve("var/lib/portico") + "/\n"
            + "conf-path=" + root.resolve("etc/portico/portico.conf") + "\n"
            + "error-log-path=" + root.resolve("var/log/portico/error.log") + "\n"
            + "pid-path=" + root.resolve("run/portico/portico.pid") + "\n");
        Files.createDirectories(root.resolve("var/lib/portico"));
        Path sbin = Files.createDirectories(root.resolve("usr/sbin"));
        return Files.createSymbolicLink(sbin.resolve("portico"), Path.of("../share/portico/bin/portico"));
    }

    @Test
    void theLayoutFileSetsTheDefaultPathsThatMinusVShows() throws IOException {
        Path portico = install();
        Result r = Launcher.run(portico, "-V");
        assertThat(r.exit()).isZero();
        assertThat(r.stderrLines().get(r.stderrLines().size() - 1)).startsWith("configure arguments: --prefix="
            + root.resolve("var/lib/portico") + "/ --conf-path=" + root.resolve("etc/portico/portico.conf")
            + " --error-log-path=" + root.resolve("var/log/portico/error.log")
            + " --pid-path=" + root.resolve("run/portico/portico.pid") + " ");
        Result h = Launcher.run(portico, "-h");
        assertThat(h.stderr()).contains("-c filename   : set configuration file (default: " + root.resolve("etc/portico/portico.conf") + ")")
            .contains("-e filename   : set error log file (default: " + root.resolve("var/log/portico/error.log") + ")");
    }

    @Test
    void withoutMinusCTheInstalledConfigurationServesAndMinusSFindsThePidFile() throws IOException {
        Path portico = install();
        PortMap ports = new PortMap();
        Files.createDirectories(root.resolve("etc/portico"));
        // no pid, no error_log: the layout's defaults; "html" is under the layout's prefix
        Files.writeString(root.resolve("etc/portico/portico.conf"), ports.rewrite(
            "daemon off;\nevents {}\nhttp { server { listen 127.0.0.1:18080; location / { return 200 \"installed\\n\"; } } }\n"));

        Result t = Launcher.run(portico, "-t");
        assertThat(t.exit()).as(t.stderr()).isZero();
        assertThat(t.stderr()).contains("the configuration file " + root.resolve("etc/portico/portico.conf") + " syntax is ok");

        Path pid = root.resolve("run/portico/portico.pid");
        try (Running r = Launcher.start(Launcher.builder(Launcher.command(portico)))) {
            Await.until(Duration.ofSeconds(20), "the pid file (stderr: " + r.stderr() + ")", () -> Files.exists(pid) || !r.process().isAlive());
            assertThat(Files.readString(pid).trim()).isEqualTo(Long.toString(r.pid()));
            assertThat(root.resolve("var/log/portico/error.log")).exists();
            assertThat(Launcher.run(portico, "-s", "quit").exit()).isZero();
            assertThat(r.waitFor(Duration.ofSeconds(20))).isZero();
        }
        assertThat(Files.exists(pid)).isFalse();
    }

    @Test
    void anNginxConfInTheConfigurationDirectoryIsReadWhenThereIsNoPorticoConf() throws IOException {
        Path portico = install();
        Files.createDirectories(root.resolve("etc/portico"));
        Files.writeString(root.resolve("etc/portico/nginx.conf"), "events {}\n");
        Result t = Launcher.run(portico, "-t");
        assertThat(t.exit()).as(t.stderr()).isZero();
        assertThat(t.stderr()).contains("the configuration file " + root.resolve("etc/portico/nginx.conf") + " syntax is ok");
    }
}
