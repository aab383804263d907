package dev.portico.observability;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes access log lines off the event loops: event loops render a line and {@link #submit}
 * it to a bounded queue without ever waiting; one writer thread appends the lines to their
 * files. When the queue is full the line is dropped and counted, and the writer reports the
 * count in the error log at most every few seconds.
 *
 * <p>Files are keyed by path and outlive snapshots: a reload keeps every file both
 * configurations use open, closes the ones only older configurations used, and a line for a
 * closed file (from a request of an older configuration) simply opens it again.
 */
final class AccessLogWriter {
    static final int QUEUE_CAPACITY = 16_384;
    /** Files named with variables that stay open at once (nginx: open_log_file_cache; here fixed). */
    private static final int MAX_DYNAMIC_OPEN = 64;
    private static final long DROP_REPORT_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final long IDLE_POLL_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final int MAX_BATCH = 4096;


    private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final AtomicLong dropped = new AtomicLong();
    private volatile Thread thread;
    private volatile boolean stopped;

    // writer thread only
    private final Map<Path, LogFile> files = new HashMap<>();
    private final LinkedHashMap<Path, LogFile> dynamicFiles = new LinkedHashMap<>(16, 0.75f, true);
    private final List<LogFile> dirty = new ArrayList<>();
    private Map<Path, FileParams> params = Map.of();
    private long lastDropReport;

    private record Line(Path path, boolean dynamic, byte[] bytes) {
    }

    private record Command(Runnable task, CountDownLatch done) {
    }

    /** The server's writer: one thread per server, started on first use, ended when the server stops. */
    static AccessLogWriter of(dev.portico.core.ServerState server) {
        return server.part(AccessLogWriter.class, AccessLogWriter::new);
    }

    /** Queues a line; never blocks. Called on the event loops. */
    void submit(Path path, boolean dynamic, byte[] bytes) {
        if (stopped) {
            return;
        }
        ensureStarted();
        if (!queue.offer(new Line(path, dynamic, bytes))) {
            dropped.incrementAndGet();
        }
    }

    /** Lines dropped because the queue was full and not yet reported. */
    long droppedUnreported() {
        return dropped.get();
    }

    /**
     * A reload or start: {@code next} are the fixed files of the configuration going live (opened
     * now, so they exist as nginx creates them at start); files outside {@code keep} are closed.
     */
    void configure(Map<Path, FileParams> next, Set<Path> keep) {
        run(() -> {
            params = Map.copyOf(next);
            for (Iterator<Map.Entry<Path, LogFile>> it = files.entrySet().iterator(); it.hasNext(); ) {
                LogFile f = it.next().getValue();
                if (!keep.contains(f.path()) && !next.containsKey(f.path())) {
                    f.close();
                    it.remove();
                } else {
                    f.params(params.getOrDefault(f.path(), FileParams.UNBUFFERED));
                }
            }
            for (Path p : next.keySet()) {
                fixedFile(p).open();
            }
        });
    }

    /** SIGUSR1: buffered lines go to the old files, then every open file is opened afresh. */
    void reopen() {
        run(() -> {
            for (LogFile f : files.values()) {
                f.reopen();
            }
            for (LogFile f : dynamicFiles.values()) {
                f.close();
            }
            dynamicFiles.clear();
        });
    }

    /** The server stopped: write everything out and close. */
    void flushAndClose() {
        run(() -> {
            for (LogFile f : files.values()) {
                f.close();
            }
            files.clear();
            for (LogFile f : dynamicFiles.values()) {
                f.close();
            }
            dynamicFiles.clear();
        });
    }

    /** The server stopped: everything is written out, the files are closed, the thread ends. */
    void stop() {
        flushAndClose();
        stopped = true;
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }

    /** Runs a task on the writer thread after the lines queued before it, waiting a bounded time. Never on an event loop. */
    void run(Runnable task) {
        ensureStarted();
        Command c = new Command(task, new CountDownLatch(1));
        try {
            if (!queue.offer(c, 5, TimeUnit.SECONDS)) {
                ErrorLog.alert("access log writer is not responding");
                return;
            }
            c.done().await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void ensureStarted() {
        if (thread == null) {
            synchronized (this) {
                if (thread == null) {
                    Thread t = new Thread(this::loop, "portico-access-log");
                    t.setDaemon(true);
                    t.start();
                    thread = t;
                }
            }
        }
    }

    private void loop() {
        while (!stopped || !queue.isEmpty()) {
            try {
                long now = System.nanoTime();
                long wait = Math.min(IDLE_POLL_NANOS, nextFlushDelay(now));
                Object item = queue.poll(wait, TimeUnit.NANOSECONDS);
                int n = 0;
                while (item != null) {
                    handle(item);
                    if (++n >= MAX_BATCH) {
                        break;
                    }
                    item = queue.poll();
                }
                endBatch();
                flushDue(System.nanoTime());
                reportDrops();
            } catch (InterruptedException e) {
                // stop() wakes the thread; anything else keeps it serving
            } catch (RuntimeException e) {
                ErrorLog.alert("access log writer: " + e);
            }
        }
    }

    private void handle(Object item) {
        if (item instanceof Line l) {
            LogFile f = l.dynamic() ? dynamicFile(l.path()) : fixedFile(l.path());
            if (!f.params().buffered()) {
                dirty.add(f);
            }
            f.add(l.bytes(), System.nanoTime());
        } else if (item instanceof Command c) {
            try {
                endBatch();
                c.task().run();
            } finally {
                c.done().countDown();
            }
        }
    }

    /** Unbuffered files: the lines of one batch go out in one write. */
    private void endBatch() {
        for (LogFile f : dirty) {
            f.flush();
        }
        dirty.clear();
    }

    private LogFile fixedFile(Path p) {
        LogFile f = files.get(p);
        if (f == null) {
            f = new LogFile(p, true, params.getOrDefault(p, FileParams.UNBUFFERED));
            files.put(p, f);
        }
        return f;
    }

    /** Paths built from variables: unbuffered (as nginx requires), parents not created, a small LRU of open files. */
    private LogFile dynamicFile(Path p) {
        LogFile f = dynamicFiles.get(p);
        if (f == null) {
            f = new LogFile(p, false, FileParams.UNBUFFERED);
            dynamicFiles.put(p, f);
            if (dynamicFiles.size() > MAX_DYNAMIC_OPEN) {
                Iterator<LogFile> it = dynamicFiles.values().iterator();
                LogFile eldest = it.next();
                endBatch();
                eldest.close();
                it.remove();
            }
        }
        return f;
    }

    private long nextFlushDelay(long now) {
        long d = Long.MAX_VALUE;
        for (LogFile f : files.values()) {
            d = Math.min(d, f.flushDelay(now));
        }
        return d;
    }

    private void flushDue(long now) {
        for (LogFile f : files.values()) {
            if (f.flushDelay(now) == 0) {
                f.flush();
            }
        }
    }

    private void reportDrops() {
        if (dropped.get() == 0) {
            return;
        }
        long now = System.nanoTime();
        if (lastDropReport != 0 && now - lastDropReport < DROP_REPORT_NANOS) {
            return;
        }
        lastDropReport = now;
        long n = dropped.getAndSet(0);
        ErrorLog.alert(n + " access log lines dropped: the writer queue (" + QUEUE_CAPACITY + " lines) was full");
    }
}
