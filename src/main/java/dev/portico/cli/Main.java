package dev.portico.cli;

import dev.portico.Version;
import dev.portico.config.ConfigException;
import dev.portico.config.ConfigSource;
import dev.portico.core.CoreModule;
import dev.portico.core.Modules;
import dev.portico.core.Prefix;
import dev.portico.core.Snapshot;
import dev.portico.core.SnapshotBuilder;
import dev.portico.lifecycle.Daemon;
import dev.portico.lifecycle.Logs;
import dev.portico.lifecycle.PorticoServer;
import dev.portico.lifecycle.Signals;
import dev.portico.lifecycle.StartupException;
import dev.portico.observability.ErrorLog;
import dev.portico.observability.LogLevel;
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
        int code = new Main(name, System.err).run(args);
        if (code >= 0) {
            System.exit(code);
        }
    }

    /** Runs the command line; returns the exit status, or -1 when a server was started and has stopped. */
    int run(String[] args) {
        Options o;
        try {
            o = Options.parse(args);
        } catch (Options.UsageException e) {
            say("[emerg] " + e.getMessage());
            return 1;
        }
        if (o.version) {
            err.println(name + " version: " + versionLine());
            if (o.versionFull) {
                err.println("built with Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor")
                    + "), Netty " + nettyVersion());
                err.println("TLS SNI support enabled");
                err.println("configure arguments: " + BuildInfo.configureArguments(Modules.table(), installPrefix().toString() + "/"));
            }
        }
        if (o.help) {
            usage();
        }
        if (o.help || o.version && !o.test && o.signal == null) {
            return 0;
        }
        Path prefixDir = o.prefix != null ? Path.of(o.prefix) : installPrefix();
        Path conf = o.conf != null ? Path.of(o.conf) : defaultConf(prefixDir);
        Prefix prefix = new Prefix(prefixDir, conf);
        setupEarlyLog(o, prefix);
        Modules.table();
        if (o.signal != null) {
            return new SignalSender(this::say).send(prefix, o.global, o.signal);
        }
        if (o.test) {
            return test(o, prefix);
        }
        return serve(o, prefix);
    }

    private int test(Options o, Prefix prefix) {
        try {
            Snapshot s = SnapshotBuilder.build(prefix, o.global);
            if (!o.quiet) {
                say("the configuration file " + prefix.confFile() + " syntax is ok");
                say("configuration file " + prefix.confFile() + " test is successful");
            }
            if (o.dump) {
                PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
                for (ConfigSource src : s.sources()) {
                    out.println("# configuration file " + src.path() + ":");
                    out.print(src.text());
                    if (!src.text().endsWith("\n")) {
                        out.println();
                    }
                    out.println();
                }
                out.flush();
            }
            return 0;
        } catch (ConfigException e) {
            say("[emerg] " + e.getMessage());
            ErrorLog.get().log(LogLevel.EMERG, 0, e.getMessage());
            say("configuration file " + prefix.confFile() + " test failed");
            return 1;
        }
    }

    private int serve(Options o, Prefix prefix) {
        Snapshot s;
        try {
            s = SnapshotBuilder.build(prefix, o.global);
        } catch (ConfigException e) {
            say("[emerg] " + e.getMessage());
            ErrorLog.get().log(LogLevel.EMERG, 0, e.getMessage());
            return 1;
        }
        try {
            Logs.configure(s);
        } catch (IOException e) {
            say("[emerg] open() \"" + e.getMessage() + "\" failed");
            return 1;
        }
        long masterPid = Daemon.masterPid();
        PorticoServer server;
        try {
            server = PorticoServer.start(s, o.global, masterPid);
        } catch (StartupException e) {
            say("[emerg] " + e.getMessage());
            ErrorLog.emerg(e.getMessage());
            return 1;
        }
        Signals.install(server);
        Daemon.ready(s.main(CoreModule.DAEMON));
        try {
            server.awaitStop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /** Before the configuration is read, messages go to {@code -e}'s target (default: the prefix's logs/error.log). */
    private void setupEarlyLog(Options o, Prefix prefix) {
        ErrorLog.useStderr(name, LogLevel.NOTICE);
        String target = o.errorLog;
        if (target == null || target.equals("stderr")) {
            return;
        }
        try {
            ErrorLog.use(List.of(prefix.resolve(target)), List.of(LogLevel.NOTICE), name);
        } catch (IOException e) {
            say("[alert] could not open error log file: open() \"" + prefix.resolve(target) + "\" failed (" + e.getMessage() + ")");
        }
    }

    void say(String message) {
        err.println(name + ": " + message);
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
        err.println("  -e filename   : set error log file (default: logs/error.log)");
        err.println("  -c filename   : set configuration file (default: conf/portico.conf)");
        err.println("  -g directives : set global directives out of configuration file");
        err.println();
    }

    /** The install directory: set by the launcher, else the working directory. */
    static Path installPrefix() {
        String p = System.getProperty("portico.prefix", System.getenv("PORTICO_PREFIX"));
        return (p != null ? Path.of(p) : Path.of("")).toAbsolutePath().normalize();
    }

    private static Path defaultConf(Path prefix) {
        Path portico = prefix.resolve("conf/portico.conf");
        Path nginx = prefix.resolve("conf/nginx.conf");
        return !Files.exists(portico) && Files.exists(nginx) ? nginx : portico;
    }

    private static String nettyVersion() {
        io.netty.util.Version v = io.netty.util.Version.identify().get("netty-common");
        return v == null ? "4.2" : v.artifactVersion();
    }
}
