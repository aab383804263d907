package dev.portico.security;

import dev.portico.http.Exchange;
import dev.portico.http.PhaseHandler;
import dev.portico.http.RequestProcessor;
import dev.portico.http.Subrequest;
import dev.portico.observability.ErrorLog;
import dev.portico.observability.LogLevel;
import dev.portico.variables.Template;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * One location's {@code auth_request}: the request waits (no thread does) while a subrequest to
 * the URI runs; its status decides as nginx's: 2xx lets the request pass, 401 and 403 refuse it
 * (a 401 with the service's {@code WWW-Authenticate} challenges), anything else is a 500. The
 * {@code auth_request_set} values are computed in the subrequest whatever its answer, so an
 * {@code error_page} for the refusal can use them too.
 */
final class AuthRequest implements PhaseHandler {
    /** {@code auth_request_set $variable value}: the slot to fill and the value, evaluated in the subrequest. */
    record Assignment(int index, Template value) {
    }

    /** What one {@code auth_request} line refused (see {@link Refusals}). */
    static final class Counts implements Refusals.LineCounts {
        final LongAdder unauthorized = new LongAdder();
        final LongAdder forbidden = new LongAdder();
        /** Any other answer, or a service that could not be asked: a 500 for the client. */
        final LongAdder failed = new LongAdder();

        @Override
        public void rows(String name, List<Refusals.Row> out) {
            out.add(new Refusals.Row("auth_request", name, "unauthorized", unauthorized.sum()));
            out.add(new Refusals.Row("auth_request", name, "forbidden", forbidden.sum()));
            out.add(new Refusals.Row("auth_request", name, "failed", failed.sum()));
        }
    }

    private final String uri;
    private final List<Assignment> sets;
    private final Counts counts;

    AuthRequest(String uri, List<Assignment> sets, Counts counts) {
        this.uri = uri;
        this.sets = sets;
        this.counts = counts;
    }

    @Override
    public int handle(Exchange ex) {
        Subrequest.start(ex, uri, (sub, head) -> RequestProcessor.resume(ex, decide(ex, sub, head)));
        return AGAIN;
    }

    private int decide(Exchange ex, Exchange sub, HttpResponse head) {
        for (Assignment a : sets) {
            ex.settableVariable(a.index(), a.value().render(sub));
        }
        int status = head.status().code();
        if (status == 403) {
            Refusals.countDenial(ex, counts.forbidden);
            return 403;
        }
        if (status == 401) {
            Refusals.countDenial(ex, counts.unauthorized);
            ex.wwwAuthenticateChallenges(head.headers().getAll(HttpHeaderNames.WWW_AUTHENTICATE));
            return 401;
        }
        if (status >= 200 && status < 300) {
            return OK;
        }
        counts.failed.increment();
        ErrorLog.of(ex).log(LogLevel.ERROR, ex.connection().id(), "auth request unexpected status: " + status + ErrorLog.context(ex));
        return 500;
    }
}
