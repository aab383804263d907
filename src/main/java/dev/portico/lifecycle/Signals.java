package dev.portico.lifecycle;

import dev.portico.observability.ErrorLog;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import sun.misc.Signal;

/**
 * nginx's master signals: HUP reload, TERM/INT fast stop, USR1 reopen logs, and WINCH as the
 * graceful stop (the launcher turns QUIT into WINCH, since the JVM keeps QUIT for thread dumps).
 * Handlers are installed before the configuration is read, so that a signal during start-up is
 * not lost (nor kills the JVM with the default action): it waits until the server runs. Work
 * runs in order on one lifecycle thread, never on the signal thread.
 */
public final class Signals {
    private final CompletableFuture<PorticoServer> server = new CompletableFuture<>();
    private final ExecutorService lifecycle = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "portico-lifecycle");
        t.setDaemon(true);
        return t;
    });

    private Signals() {
    }

    /** Installs the handlers now; actions run once {@link #serve} hands over the running server. */
    public static Signals install() {
        Signals s = new Signals();
        s.handle("HUP", 1, "SIGHUP", ", reconfiguring", PorticoServer::reload);
        s.handle("TERM", 15, "SIGTERM", ", exiting", PorticoServer::stopFast);
        s.handle("INT", 2, "SIGINT", ", exiting", PorticoServer::stopFast);
        s.handle("USR1", 10, "SIGUSR1", ", reopening", PorticoServer::reopenLogs);
        // shown as SIGQUIT: that is what the user sent to the launcher
        s.handle("WINCH", 3, "SIGQUIT", ", shutting down", PorticoServer::stopGracefully);
        return s;
    }

    /** The server is up: signals received so far, and all later ones, act on it. */
    public void serve(PorticoServer running) {
        server.complete(running);
    }

    /** Start-up failed: signals received so far are dropped. */
    public void abandon() {
        server.cancel(false);
    }

    private void handle(String name, int number, String shown, String action, Consumer<PorticoServer> work) {
        try {
            Signal.handle(new Signal(name), sig -> {
                ErrorLog.notice("signal " + number + " (" + shown + ") received" + action);
                lifecycle.execute(() -> {
                    PorticoServer s = awaitServer();
                    if (s != null) {
                        work.accept(s);
                    }
                });
            });
        } catch (IllegalArgumentException e) {
            // SIGINT arrives ignored from a shell's background job; the launcher sends TERM instead
            ErrorLog.info("cannot handle " + shown + ": " + e.getMessage());
        }
    }

    private PorticoServer awaitServer() {
        try {
            return server.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException | java.util.concurrent.CancellationException e) {
            return null;
        }
    }
}
