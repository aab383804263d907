package dev.portico.http;

import dev.portico.config.directive.Settings;
import dev.portico.config.directive.Values;
import dev.portico.observability.ErrorLog;
import dev.portico.observability.LogLevel;
import dev.portico.variables.BuiltinVariables;

/**
 * One request's {@code limit_rate}, kept as nginx keeps it on the request. It is undecided
 * until {@code set $limit_rate}, a backend's {@code X-Accel-Limit-Rate} or the first body write
 * decides it; once decided, the directive is not evaluated again for this request, so a value
 * with variables is rendered once.
 */
public final class LimitRate {
    /** Bytes per second; -1 while undecided. */
    private long rate = -1;
    /** limit_rate_after in bytes; -1 until evaluated. */
    private long after = -1;

    /** {@code $limit_rate}: readable, and settable with {@code set} (an invalid value is logged and ignored). */
    static void register(BuiltinVariables.Builder b) {
        b.settable("limit_rate", ex -> Long.toString(ex.limitRate().current()), (ex, v) -> {
            long n = Values.parseSize(v);
            if (n < 0) {
                ErrorLog.of(ex).log(LogLevel.ERROR, ex.connection().id(),
                    "invalid $limit_rate \"" + ErrorLog.escape(v) + "\"" + ErrorLog.context(ex));
                return;
            }
            ex.limitRate().set(n);
        });
    }

    /** The rate decided so far; 0 while nothing decided it (nginx reads the directive only at the first write). */
    public long current() {
        return Math.max(0, rate);
    }

    /** Overrides the directive for this request (0: no limit). */
    public void set(long bytesPerSecond) {
        rate = bytesPerSecond;
    }

    /** The rate in force, deciding it from {@code limit_rate} when nothing set it. */
    long rate(Exchange ex, Settings s) {
        if (rate < 0) {
            rate = s.get(HttpModule.LIMIT_RATE).get(ex, 0);
        }
        return rate;
    }

    /** {@code limit_rate_after}, evaluated once. */
    long after(Exchange ex, Settings s) {
        if (after < 0) {
            after = s.get(HttpModule.LIMIT_RATE_AFTER).get(ex, 0);
        }
        return after;
    }
}
