package dev.portico.cli;

import dev.portico.Version;
import dev.portico.bytes.ByteStrings;
import dev.portico.config.ConfigException;
import dev.portico.config.ConfigSource;
import dev.portico.core.CoreModule;
import dev.portico.core.Prefix;
import dev.portico.core.Snapshot;
import dev.portico.lifecycle.ConfigWatch;
import dev.portico.lifecycle.Daemon;
import dev.portico.lifecycle.Logs;
import dev.portico.lifecycle.ModuleList;
import dev.portico.lifecycle.PorticoServer;
import dev.portico.lifecycle.Signals;
import dev.portico.lifecycle.SnapshotBuilder;
import dev.portico.lifecycle.StartupException;
import dev.portico.observability.Errno;
import dev.portico.observability.ErrorLog;
import dev.portico.observability.LogLevel;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The command line, nginx's flags and messages. Messages go to standard error, as nginx's do;
 * only {@code -T}'s dump goes to standard output.
 */
public final class Main {
    private final String name;
    private final PrintStream err;

    private Main(String name, PrintStream err) {
        this.name = name;
        this.err = err;
    }

    public static void main(String[] args) {
        String name = System.getProperty("portico.name", "portico");
        System.exit(new Main(name, System.err).run(args));
    }

    /** Runs the command line; returns the exit status. */
    int run(String[] args) {
        Options o;
        try {
            o = Options.parse(args);
        } catch (Options.UsageException e) {
            say(e.getMessage());
            return 1;
        }
        if (o.version) {
            err.println(name + " version: " + versionLine());
            if (o.help) {
                usage();
            }
            if (o.versionFull) {
                err.println("built with Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor")
                    + "), Netty " + nettyVersion());
                if (BuildInfo.tls(ModuleList.table())) {
                    err.println("built with " + dev.portico.tls.TlsEngine.describe());
                    err.println("TLS SNI support enabled");
                }
                err.println("configure arguments: " + BuildInfo.configureArguments(ModuleList.table(), installPrefix(),
                    defaultConf(installPrefix()), shownErrorLog()));
            }
            err.flush();
            if (!o.test) {
                return 0;
            }
        }
        Path prefixDir = o.prefix != null ? Path.of(o.prefix) : installPrefix();
        Path conf = o.conf != null ? Path.of(o.conf) : defaultConf(prefixDir);
        Prefix prefix = new Prefix(prefixDir, conf);
        setupEarlyLog(o, prefix);
        ModuleList.table();
        if (o.test) {
            return test(o, prefix);
        }
        if (o.signal != null) {
            return new SignalSender(this::report).send(prefix, o.global, o.signal);
        }
        return serve(o, prefix);
    }

    private int test(Options o, Prefix prefix) {
        Snapshot s;
        // -q keeps warnings off the terminal, as nginx's -q does; errors are still said
        ErrorLog.echoWhileReading(o.quiet ? m -> {
            if (!m.startsWith("[warn] ")) {
                say(m);
            }
        } : this::say);
        try {
            s = SnapshotBuilder.build(prefix, o.global);
        } catch (ConfigException e) {
            ErrorLog.echoWhileReading(null);
            if (e.isAfterSyntax() && !o.quiet) {
                say("the configuration file " + prefix.confFile() + " syntax is ok");
            }
            report(LogLevel.EMERG, e.getMessage());
            say("configuration file " + prefix.confFile() + " test failed");
            return 1;
        }
        ErrorLog.echoWhileReading(null);
        if (!o.quiet) {
            say("the configuration file " + prefix.confFile() + " syntax is ok");
            say("configuration file " + prefix.confFile() + " test is successful");
        }
        if (o.dump) {
            // nginx writes each file read, verbatim, after a header line, to standard output
            PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
            for (ConfigSource src : s.sources()) {
                out.print("# configuration file " + src.path() + ":\n");
                byte[] text = ByteStrings.bytes(src.text()); // the file's bytes, as read
                out.write(text, 0, text.length);
                out.print("\n");
            }
            out.flush();
        }
        return 0;
    }

    private int serve(Options o, Prefix prefix) {
        // before anything slow: a signal during start-up waits for the server instead of killing the JVM
        Signals signals = Signals.install();
        Snapshot s;
        ErrorLog.echoWhileReading(this::say);
        try {
            s = SnapshotBuilder.build(prefix, o.global);
            ErrorLog.echoWhileReading(null);
            Logs.configure(s);
        } catch (ConfigException e) {
            ErrorLog.echoWhileReading(null);
            report(LogLevel.EMERG, e.getMessage());
            return 1;
        } catch (StartupException e) {
            report(LogLevel.EMERG, e.getMessage());
            return 1;
        }
        boolean daemon = s.main(CoreModule.DAEMON);
        long masterPid = Daemon.masterPid(daemon);
        PorticoServer server;
        try {
            server = PorticoServer.start(s, o.global, masterPid);
        } catch (StartupException e) {
            signals.abandon();
            report(LogLevel.EMERG, e.getMessage());
            return 1;
        }
        signals.serve(server);
        ConfigWatch watch = ConfigWatch.startIfAsked(System.getenv(ConfigWatch.ENV), server);
        Daemon.ready(daemon);
        Daemon.watchMaster(masterPid, server);
        try {
            server.awaitStop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (watch != null) {
            watch.close();
        }
        return 0;
    }

    /**
     * Before the configuration is read, messages go to {@code -e}'s target (default: the prefix's
     * logs/error.log, created on demand); if that cannot be opened, to standard error, as nginx does.
     */
    private void setupEarlyLog(Options o, Prefix prefix) {
        String target = o.errorLog != null ? o.errorLog : defaultErrorLog();
        Logs.defaultTarget(target);
        if (target.equals("stderr")) {
            ErrorLog.useStderr(name, LogLevel.NOTICE);
            return;
        }
        Path file = prefix.resolve(target);
        try {
            ErrorLog.use(List.of(file), List.of(LogLevel.NOTICE), name);
        } catch (IOException e) {
            ErrorLog.useStderr(name, LogLevel.NOTICE);
            say("[alert] could not open error log file: open() \"" + file + "\" failed ("
                + Errno.of(e.getCause() != null ? e.getCause() : e) + ")");
        }
    }

    /**
     * A start-up message: into the error log, and also to standard error unless the log already
     * wrote it there (nginx's rule while starting: the user at the terminal sees every problem).
     */
    void report(LogLevel level, String message) {
        ErrorLog log = ErrorLog.get();
        log.log(level, 0, message);
        if (!log.writesToStderr(level)) {
            say("[" + level.word() + "] " + message);
        }
    }

    void say(String message) {
        // messages quote configuration and request bytes: write those bytes, not their UTF-8 re-encoding
        byte[] line = ByteStrings.bytes(name + ": " + message + System.lineSeparator());
        err.write(line, 0, line.length);
        err.flush();
    }

    private String versionLine() {
        if (name.equals("nginx")) {
            return "nginx/" + Version.NGINX + " (portico/" + Version.PORTICO + ")";
        }
        return "portico/" + Version.PORTICO + " (nginx/" + Version.NGINX + ")";
    }

    private void usage() {
        err.println("Usage: " + name + " [-?hvVtTq] [-s signal] [-p prefix]");
        err.println("             [-e filename] [-c filename] [-g directives]");
        err.println();
        err.println("Options:");
        err.println("  -?,-h         : this help");
        err.println("  -v            : show version and exit");
        err.println("  -V            : show version and configure options then exit");
        err.println("  -t            : test configuration and exit");
        err.println("  -T            : test configuration, dump it and exit");
        err.println("  -q            : suppress non-error messages during configuration testing");
        err.println("  -s signal     : send signal to a master process: stop, quit, reopen, reload");
        err.println("  -p prefix     : set prefix path (default: " + installPrefix() + "/)");
        err.println("  -e filename   : set error log file (default: " + defaultErrorLog() + ")");
        err.println("  -c filename   : set configuration file (default: " + shown(defaultConf(installPrefix())) + ")");
        err.println("  -g directives : set global directives out of configuration file");
        err.println();
    }

    /** The install directory: set by the launcher, else the working directory. */
    static Path installPrefix() {
        String p = System.getProperty("portico.prefix", System.getenv("PORTICO_PREFIX"));
        return (p != null ? Path.of(p) : Path.of("")).toAbsolutePath().normalize();
    }

    /**
     * An installation's own defaults, as nginx's configure arguments set them: the launcher reads
     * them from its {@code lib/layout} file (a Debian package or container image puts the
     * configuration in /etc/portico, say). Without them, paths are under the prefix.
     */
    private static String layout(String name) {
        String v = System.getProperty("portico." + name);
        return v == null || v.isEmpty() ? null : v;
    }

    /** The error log before the configuration names one: -e's default. */
    private static String defaultErrorLog() {
        String path = layout("errorLogPath");
        return path != null ? path : "logs/error.log";
    }

    private static String shownErrorLog() {
        String log = defaultErrorLog();
        return log.equals("stderr") ? log : installPrefix().resolve(log).toString();
    }

    /** A path under the install prefix is shown relative to it, as nginx's usage does. */
    private static String shown(Path p) {
        Path prefix = installPrefix();
        return p.startsWith(prefix) ? prefix.relativize(p).toString() : p.toString();
    }

    /** portico.conf, or nginx.conf beside it when only that one exists (a mounted nginx.conf, say). */
    private static Path defaultConf(Path prefix) {
        String path = layout("confPath");
        Path portico = prefix.resolve(path != null ? path : "conf/portico.conf");
        Path nginx = portico.resolveSibling("nginx.conf");
        return !Files.exists(portico) && Files.exists(nginx) ? nginx : portico;
    }

    private static String nettyVersion() {
        // the shaded jar keeps one module's version file; every Netty module has the same version
        for (io.netty.util.Version v : io.netty.util.Version.identify().values()) {
            return v.artifactVersion();
        }
        return "4.2";
    }
}
