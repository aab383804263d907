package dev.portico.cli;

import dev.portico.config.ConfigException;
import dev.portico.core.CoreModule;
import dev.portico.core.Prefix;
import dev.portico.core.Snapshot;
import dev.portico.lifecycle.SnapshotBuilder;
import dev.portico.observability.Errno;
import dev.portico.observability.LogLevel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BiConsumer;

/**
 * {@code -s stop|quit|reopen|reload}: reads the configuration for the {@code pid} file, and
 * signals the master named there (the launcher, which forwards to the JVM), as nginx does.
 */
final class SignalSender {
    private final BiConsumer<LogLevel, String> report;

    SignalSender(BiConsumer<LogLevel, String> report) {
        this.report = report;
    }

    int send(Prefix prefix, String global, String signal) {
        Snapshot s;
        try {
            s = SnapshotBuilder.build(prefix, global);
        } catch (ConfigException e) {
            report.accept(LogLevel.EMERG, e.getMessage());
            return 1;
        }
        Path pidFile = prefix.resolve(s.main(CoreModule.PID));
        String text;
        try {
            text = Files.readString(pidFile, StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            report.accept(LogLevel.ERROR, "open() \"" + pidFile + "\" failed (" + Errno.of(e) + ")");
            return 1;
        }
        long pid;
        try {
            pid = Long.parseLong(text);
            if (pid <= 0) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            report.accept(LogLevel.ERROR, "invalid PID number \"" + text + "\" in \"" + pidFile + "\"");
            return 1;
        }
        // nginx's signal for each command: stop TERM, quit QUIT, reopen USR1, reload HUP
        int number = switch (signal) {
            case "stop" -> 15;
            case "quit" -> 3;
            case "reopen" -> 10;
            default -> 1;
        };
        try {
            Process p = new ProcessBuilder("kill", "-" + number, Long.toString(pid)).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                String errno = out.contains("ermitted") ? "1: Operation not permitted" : "3: No such process";
                report.accept(LogLevel.ALERT, "kill(" + pid + ", " + number + ") failed (" + errno + ")");
                return 1;
            }
        } catch (IOException e) {
            report.accept(LogLevel.ALERT, "kill(" + pid + ", " + number + ") failed (" + e.getMessage() + ")");
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
        return 0;
    }
}
