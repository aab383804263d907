package dev.portico.lifecycle;

import dev.portico.observability.ErrorLog;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * The JVM's side of the launcher's contract ({@code bin/portico}). The launcher's foreground
 * process passes its pid in {@code PORTICO_MASTER_PID}, the detachable supervisor that started
 * this JVM passes its own in {@code PORTICO_DAEMON_PID}; the pid file gets the first with
 * {@code daemon off} and the second with {@code daemon on}. Once every listener is bound the JVM
 * writes {@code daemon on} or {@code daemon off} to {@code PORTICO_READY_FILE}; the foreground
 * process then returns (daemon on) or stays (daemon off).
 */
public final class Daemon {
    private Daemon() {
    }

    /** The pid that stands for this server in the pid file: the launcher's master, or this JVM without one. */
    public static long masterPid(boolean daemon) {
        Long p = daemon ? envPid("PORTICO_DAEMON_PID") : null;
        if (p == null) {
            p = envPid("PORTICO_MASTER_PID");
        }
        return p != null ? p : ProcessHandle.current().pid();
    }

    private static Long envPid(String name) {
        String p = System.getenv(name);
        if (p == null) {
            return null;
        }
        try {
            return Long.parseLong(p.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * Every listener is bound and the pid file written: tells the launcher. A daemon first lets go
     * of its caller's standard input, output and error (they become /dev/null, as nginx's daemon
     * does), so that a caller that reads them sees end of file once the command returns.
     */
    public static void ready(boolean daemon) {
        String f = System.getenv("PORTICO_READY_FILE");
        if (f == null || f.isEmpty()) {
            return;
        }
        if (daemon) {
            releaseStandardStreams();
        }
        try {
            Path p = Path.of(f);
            Path tmp = p.resolveSibling(p.getFileName() + ".tmp");
            Files.writeString(tmp, daemon ? "daemon on\n" : "daemon off\n");
            Files.move(tmp, p, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            ErrorLog.alert("cannot tell the launcher that the server is ready: " + e.getMessage());
        }
    }

    /**
     * Closing a stream on descriptor 0, 1 or 2 makes the JDK point that descriptor at /dev/null
     * (it never leaves them free for the next file or socket), which is exactly a daemon's need.
     */
    private static void releaseStandardStreams() {
        System.out.flush();
        System.err.flush();
        try {
            new FileInputStream(FileDescriptor.in).close();
            new FileOutputStream(FileDescriptor.out).close();
            new FileOutputStream(FileDescriptor.err).close();
        } catch (IOException e) {
            ErrorLog.alert("cannot detach from the terminal: " + e.getMessage());
        }
    }

    /**
     * Stops the server when the launcher's master dies (killed with SIGKILL, say), so that no JVM
     * keeps serving, unreachable by signals, without a master.
     */
    public static void watchMaster(long masterPid, PorticoServer server) {
        if (masterPid == ProcessHandle.current().pid()) {
            return;
        }
        Optional<ProcessHandle> master = ProcessHandle.of(masterPid);
        Thread t = new Thread(() -> {
            while (!server.isStopped()) {
                if (master.isEmpty() || !master.get().isAlive()) {
                    ErrorLog.alert("master process " + masterPid + " is gone, exiting");
                    server.stopFast();
                    return;
                }
                try {
                    server.awaitStop(1000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "portico-master-watch");
        t.setDaemon(true);
        t.start();
    }
}
