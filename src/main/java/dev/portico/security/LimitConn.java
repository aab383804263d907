package dev.portico.security;

import dev.portico.http.Exchange;
import dev.portico.http.PhaseHandler;
import dev.portico.observability.ErrorLog;
import dev.portico.observability.LogLevel;
import dev.portico.variables.Template;

/**
 * The pre-access handler of a location with {@code limit_conn} lines
 * (ngx_http_limit_conn_module): each key may have at most its number of requests in progress;
 * one more is refused with {@code limit_conn_status} (503). A request holds its places until it
 * ends, a websocket until its tunnel closes; keep-alive requests count one at a time. Each zone
 * counts the requests it let in and the one it refused ({@link Refusals}).
 */
final class LimitConn implements PhaseHandler {
    /** One {@code limit_conn} line. */
    record Limit(String zoneName, LimitConnZone zone, Template key, int number) {
    }

    /** {@code $limit_conn_status}. */
    enum Outcome { PASSED, REJECTED, REJECTED_DRY_RUN }

    private final Limit[] limits;
    private final int status;
    private final LogLevel logLevel;
    private final boolean dryRun;

    LimitConn(Limit[] limits, int status, LogLevel logLevel, boolean dryRun) {
        this.limits = limits;
        this.status = status;
        this.logLevel = logLevel;
        this.dryRun = dryRun;
    }

    @Override
    public int handle(Exchange ex) {
        if (ex.attachment(Outcome.class) != null) {
            // counted once per request, not again after an internal redirect
            return DECLINED;
        }
        for (Limit l : limits) {
            String key = l.key().render(ex);
            if (key == null || key.isEmpty()) {
                continue;
            }
            if (!l.zone().acquire(key, l.number())) {
                ErrorLog.of(ex).log(logLevel, ex.connection().id(), "limiting connections" + (dryRun ? ", dry run," : "")
                    + " by zone \"" + l.zoneName() + "\"" + ErrorLog.context(ex));
                if (dryRun) {
                    l.zone().rejectedDryRun.increment();
                    ex.attach(Outcome.class, Outcome.REJECTED_DRY_RUN);
                    return DECLINED;
                }
                l.zone().rejected.increment();
                ex.attach(Outcome.class, Outcome.REJECTED);
                return status;
            }
            l.zone().passed.increment();
            ex.onEnd(() -> l.zone().release(key));
        }
        ex.attach(Outcome.class, Outcome.PASSED);
        return DECLINED;
    }
}
