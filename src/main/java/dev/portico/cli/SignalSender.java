package dev.portico.cli;

import dev.portico.config.ConfigException;
import dev.portico.core.CoreModule;
import dev.portico.core.Prefix;
import dev.portico.core.Snapshot;
import dev.portico.core.SnapshotBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.function.Consumer;

/** {@code -s stop|quit|reopen|reload}: finds the master through the pid file and signals it. */
final class SignalSender {
    private final Consumer<String> say;

    SignalSender(Consumer<String> say) {
        this.say = say;
    }

    int send(Prefix prefix, String global, String signal) {
        Snapshot s;
        try {
            s = SnapshotBuilder.build(prefix, global);
        } catch (ConfigException e) {
            say.accept("[emerg] " + e.getMessage());
            return 1;
        }
        Path pidFile = prefix.resolve(s.main(CoreModule.PID));
        String text;
        try {
            text = Files.readString(pidFile).trim();
        } catch (NoSuchFileException e) {
            say.accept("[error] open() \"" + pidFile + "\" failed (2: No such file or directory)");
            return 1;
        } catch (IOException e) {
            say.accept("[error] open() \"" + pidFile + "\" failed (" + e.getMessage() + ")");
            return 1;
        }
        long pid;
        try {
            pid = Long.parseLong(text);
        } catch (NumberFormatException e) {
            say.accept("[error] invalid PID number \"" + text + "\" in \"" + pidFile + "\"");
            return 1;
        }
        String sig = switch (signal) {
            case "stop" -> "TERM";
            case "quit" -> "QUIT";
            case "reopen" -> "USR1";
            default -> "HUP";
        };
        try {
            Process p = new ProcessBuilder("kill", "-s", sig, Long.toString(pid)).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            if (p.waitFor() != 0) {
                say.accept("[alert] kill(" + pid + ", " + sig + ") failed (3: No such process)" + (out.isEmpty() ? "" : ""));
                return 1;
            }
        } catch (IOException e) {
            say.accept("[alert] kill(" + pid + ", " + sig + ") failed (" + e.getMessage() + ")");
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
        return 0;
    }
}
