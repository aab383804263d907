package dev.portico.lifecycle;

import dev.portico.observability.ErrorLog;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import sun.misc.Signal;

/**
 * nginx's master signals: HUP reload, TERM/INT fast stop, USR1 reopen logs, and WINCH as the
 * graceful stop (the launcher turns QUIT into WINCH, since the JVM keeps QUIT for thread dumps).
 * Work runs on one lifecycle thread, never on the signal thread.
 */
public final class Signals {
    private Signals() {
    }

    public static void install(PorticoServer server) {
        ExecutorService lifecycle = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "portico-lifecycle");
            t.setDaemon(true);
            return t;
        });
        handle("HUP", 1, "SIGHUP", () -> lifecycle.execute(server::reload), true);
        handle("TERM", 15, "SIGTERM", () -> lifecycle.execute(server::stopFast), false);
        handle("INT", 2, "SIGINT", () -> lifecycle.execute(server::stopFast), false);
        handle("USR1", 10, "SIGUSR1", () -> lifecycle.execute(server::reopenLogs), false);
        handle("WINCH", 28, "SIGQUIT", () -> lifecycle.execute(server::stopGracefully), false);
    }

    private static void handle(String name, int number, String shown, Runnable action, boolean reconfigure) {
        try {
            Signal.handle(new Signal(name), sig -> {
                ErrorLog.notice("signal " + ("SIGQUIT".equals(shown) ? 3 : number) + " (" + shown + ") received"
                    + (reconfigure ? ", reconfiguring" : ""));
                action.run();
            });
        } catch (IllegalArgumentException e) {
            ErrorLog.warn("cannot handle " + shown + ": " + e.getMessage());
        }
    }
}
