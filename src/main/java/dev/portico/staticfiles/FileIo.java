package dev.portico.staticfiles;

import dev.portico.http.Exchange;
import dev.portico.observability.ErrorLog;
import dev.portico.observability.LogLevel;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The small shared pool that makes the file system calls (stat, open, readdir) so that no event
 * loop ever waits on a disk. Work is handed over with {@link #run}, whose continuation hops back to
 * the exchange's event loop; a continuation never runs for an exchange whose client went away.
 */
final class FileIo {
    private static final ExecutorService POOL = newPool();

    private FileIo() {
    }

    private static ExecutorService newPool() {
        int threads = Math.max(2, Math.min(8, Runtime.getRuntime().availableProcessors() * 2));
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
            r -> {
                Thread t = new Thread(r, "portico-file-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /**
     * Runs {@code blocking} on the file pool, then {@code onLoop} with its result on the exchange's
     * event loop. If the client has gone by then, {@code discard} gets the result instead (to close
     * what was opened). A failure of the blocking part answers 500.
     */
    static <T> void run(Exchange ex, Callable<T> blocking, Consumer<T> onLoop, Consumer<T> discard) {
        try {
            POOL.execute(() -> {
                T result;
                try {
                    result = blocking.call();
                } catch (Exception | Error e) {
                    ErrorLog.get().log(LogLevel.CRIT, ex.connection().id(), "file operation failed: " + e);
                    ex.eventLoop().execute(() -> {
                        if (!ex.isClosed()) {
                            ex.sendError(500);
                        }
                    });
                    return;
                }
                ex.eventLoop().execute(() -> {
                    if (ex.isClosed()) {
                        if (discard != null) {
                            discard.accept(result);
                        }
                        return;
                    }
                    onLoop.accept(result);
                });
            });
        } catch (RejectedExecutionException e) {
            ex.sendError(503);
        }
    }
}
