package dev.portico.lifecycle;

import dev.portico.observability.ErrorLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The JVM's side of the launcher's contract. The launcher ({@code bin/portico}) stays the master
 * process: it passes its own pid in {@code PORTICO_MASTER_PID} (that pid goes into the pid file)
 * and a file name in {@code PORTICO_READY_FILE}, where the JVM writes {@code daemon on} or
 * {@code daemon off} once every listener is bound, so the launcher knows whether to detach.
 */
public final class Daemon {
    private Daemon() {
    }

    public static long masterPid() {
        String p = System.getenv("PORTICO_MASTER_PID");
        if (p != null) {
            try {
                return Long.parseLong(p.trim());
            } catch (NumberFormatException ignored) {
                // fall through to our own pid
            }
        }
        return ProcessHandle.current().pid();
    }

    public static void ready(boolean daemon) {
        String f = System.getenv("PORTICO_READY_FILE");
        if (f == null || f.isEmpty()) {
            return;
        }
        try {
            Path p = Path.of(f);
            Path tmp = p.resolveSibling(p.getFileName() + ".tmp");
            Files.writeString(tmp, daemon ? "daemon on\n" : "daemon off\n");
            Files.move(tmp, p, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            ErrorLog.alert("cannot tell the launcher we are ready: " + e.getMessage());
        }
    }
}
