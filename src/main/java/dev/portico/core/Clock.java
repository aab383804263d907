package dev.portico.core;

/**
 * Where run-time state reads the time: the system clock in a server, a hand-driven one in tests
 * of expiry (failure windows, zone entries), so that they need no sleeps.
 */
public interface Clock {
    /** Monotonic nanoseconds, for durations. */
    long nanoTime();

    /** Wall-clock milliseconds since the epoch. */
    long currentTimeMillis();

    Clock SYSTEM = new Clock() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public long currentTimeMillis() {
            return System.currentTimeMillis();
        }
    };
}
