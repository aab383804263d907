package dev.portico.security;

import dev.portico.core.Clock;
import dev.portico.http.Exchange;
import dev.portico.http.PhaseHandler;
import dev.portico.http.RequestProcessor;
import dev.portico.observability.ErrorLog;
import dev.portico.observability.LogLevel;
import dev.portico.variables.Template;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The pre-access handler of a location with {@code limit_req} lines (ngx_http_limit_req_module).
 * Every limit is checked; one over its burst refuses the request with {@code limit_req_status}
 * (503 by default). Otherwise each bucket takes the request, and when the excess passes a
 * limit's {@code delay} the request is suspended on an event-loop timer (never a sleeping
 * thread) until it fits the rate. The outcome is {@code $limit_req_status}; each zone that
 * took part counts its own verdict ({@link Refusals}): the one that refuses, or every zone with
 * a key when none does (delayed where its excess passes its delay, else passed).
 */
final class LimitReq implements PhaseHandler {
    /** One {@code limit_req} line, with its zone's settings as the configuration in force declares them. */
    record Limit(String zoneName, LimitReqZone zone, Template key, long rateMilli, long burstMilli, long delayMilli) {
    }

    /** {@code $limit_req_status}. */
    enum Outcome { PASSED, DELAYED, REJECTED, DELAYED_DRY_RUN, REJECTED_DRY_RUN }

    private final Limit[] limits;
    private final int status;
    private final LogLevel logLevel;
    private final boolean dryRun;
    private final Clock clock;

    LimitReq(Limit[] limits, int status, LogLevel logLevel, boolean dryRun, Clock clock) {
        this.limits = limits;
        this.status = status;
        this.logLevel = logLevel;
        this.dryRun = dryRun;
        this.clock = clock;
    }

    @Override
    public int handle(Exchange ex) {
        if (ex.attachment(Outcome.class) != null) {
            // an internal redirect runs the phases again: nginx counts a request once
            return DECLINED;
        }
        String[] keys = new String[limits.length];
        for (int i = 0; i < limits.length; i++) {
            Limit l = limits[i];
            String key = l.key().render(ex);
            if (key == null || key.isEmpty()) {
                // an empty key is not accounted, as nginx
                continue;
            }
            if (key.length() > 65535) {
                ErrorLog.of(ex).log(LogLevel.ERROR, ex.connection().id(), "the value of the \"" + l.key().source()
                    + "\" key is more than 65535 bytes: \"" + ErrorLog.escape(key.substring(0, 64)) + "...\"" + ErrorLog.context(ex));
                return 500;
            }
            keys[i] = key;
            long excess = l.zone().lookup(key, l.rateMilli(), l.burstMilli(), false, clock);
            if (excess < 0) {
                log(ex, logLevel, "limiting requests" + (dryRun ? ", dry run" : "") + ", excess: "
                    + milli(l.zone().lookup(key, l.rateMilli(), Long.MAX_VALUE, false, clock)) + " by zone \"" + l.zoneName() + "\"");
                if (dryRun) {
                    l.zone().rejectedDryRun.increment();
                    ex.attach(Outcome.class, Outcome.REJECTED_DRY_RUN);
                    return DECLINED;
                }
                l.zone().rejected.increment();
                ex.attach(Outcome.class, Outcome.REJECTED);
                return status;
            }
        }
        long delayMillis = 0;
        long delayedExcess = 0;
        String delayedZone = null;
        for (int i = 0; i < limits.length; i++) {
            if (keys[i] == null) {
                continue;
            }
            Limit l = limits[i];
            // a dry run accounts as usual (nginx): only the refusal and the delay are skipped
            long excess = l.zone().lookup(keys[i], l.rateMilli(), l.burstMilli(), true, clock);
            long d = excess > l.delayMilli() ? (excess - l.delayMilli()) * 1000 / l.rateMilli() : 0;
            // each zone counts its own verdict; the request waits for the longest
            count(l.zone(), d);
            if (d > delayMillis) {
                delayMillis = d;
                delayedExcess = excess;
                delayedZone = l.zoneName();
            }
        }
        if (delayMillis <= 0) {
            ex.attach(Outcome.class, Outcome.PASSED);
            return DECLINED;
        }
        log(ex, lessSevere(logLevel), "delaying request" + (dryRun ? ", dry run" : "") + ", excess: " + milli(delayedExcess)
            + ", by zone \"" + delayedZone + "\"");
        if (dryRun) {
            ex.attach(Outcome.class, Outcome.DELAYED_DRY_RUN);
            return DECLINED;
        }
        ex.attach(Outcome.class, Outcome.DELAYED);
        ex.eventLoop().schedule(() -> RequestProcessor.resume(ex, DECLINED), delayMillis, TimeUnit.MILLISECONDS);
        return AGAIN;
    }

    private void count(LimitReqZone zone, long delay) {
        if (delay <= 0) {
            zone.passed.increment();
        } else if (dryRun) {
            zone.delayedDryRun.increment();
        } else {
            zone.delayed.increment();
        }
    }

    private static void log(Exchange ex, LogLevel level, String message) {
        ErrorLog.of(ex).log(level, ex.connection().id(), message + ErrorLog.context(ex));
    }

    /** nginx logs delays one level below refusals. */
    private static LogLevel lessSevere(LogLevel l) {
        return l.ordinal() > 0 ? LogLevel.values()[l.ordinal() - 1] : l;
    }

    private static String milli(long v) {
        return String.format(Locale.ROOT, "%d.%03d", v / 1000, v % 1000);
    }
}
