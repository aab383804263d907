package dev.portico.upstream;

import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A timeout that is re-armed often but rarely fires (proxy read/send timeouts, idle timeouts):
 * arming moves a deadline instead of scheduling a task, and the one scheduled task re-schedules
 * itself when it finds the deadline moved. So a keep-alive connection serving thousands of
 * requests schedules a task about once per timeout period, not once per request. Event loop only.
 */
public final class DeadlineTimer implements Runnable {
    private final EventExecutor loop;
    private Runnable action;
    private long deadline;
    private ScheduledFuture<?> task;
    private long taskAt;

    public DeadlineTimer(EventExecutor loop) {
        this.loop = loop;
    }

    /** Runs {@code onExpire} once {@code timeoutMillis} pass without another arm/disarm. */
    public void arm(long timeoutMillis, Runnable onExpire) {
        if (timeoutMillis <= 0) {
            disarm();
            return;
        }
        armAt(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis), onExpire);
    }

    /** Runs {@code onExpire} once {@link System#nanoTime()} passes {@code deadlineNanos}, unless re-armed first. */
    public void armAt(long deadlineNanos, Runnable onExpire) {
        long now = System.nanoTime();
        deadline = deadlineNanos;
        action = onExpire;
        if (task == null || taskAt - deadline > 0) {
            if (task != null) {
                task.cancel(false);
            }
            schedule(deadline - now);
        }
    }

    public boolean armed() {
        return action != null;
    }

    /** Stops the timeout; the scheduled task, if any, finds nothing to do when it runs. */
    public void disarm() {
        action = null;
        deadline = 0;
    }

    /** Stops the timeout and drops the scheduled task (the owner is going away). */
    public void cancel() {
        disarm();
        if (task != null) {
            task.cancel(false);
            task = null;
        }
    }

    private void schedule(long delayNanos) {
        taskAt = System.nanoTime() + delayNanos;
        task = loop.schedule(this, Math.max(1, delayNanos), TimeUnit.NANOSECONDS);
    }

    @Override
    public void run() {
        task = null;
        Runnable a = action;
        if (a == null) {
            return;
        }
        long left = deadline - System.nanoTime();
        if (left > 0) {
            schedule(left);
            return;
        }
        action = null;
        deadline = 0;
        a.run();
    }
}
