package dev.portico.http;

import dev.portico.observability.ErrorLog;
import dev.portico.observability.LogLevel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpUtil;
import java.util.List;

/**
 * Runs a request through nginx's phases: server rewrite, find location (with the body size
 * check), rewrite (looping on {@code rewrite ... last}), then the location's handler arrays for
 * pre-access, access ({@code satisfy all|any}) and pre-content, and its content handler. A
 * handler may suspend the request ({@link PhaseHandler#AGAIN}) and {@link #resume} it later.
 */
public final class RequestProcessor {
    private RequestProcessor() {
    }

    /** Marks exchanges that came through an internal redirect (they may enter {@code internal} locations). */
    static final class Internal {
        static final Internal YES = new Internal();
    }

    /** A new request: the post-read phase, then the rest. */
    static void begin(Exchange ex) {
        if (postRead(ex)) {
            start(ex);
        }
    }

    /** From the server rewrite phase on (where an internal redirect starts again, as in nginx). */
    static void start(Exchange ex) {
        ex.location(null);
        if (runSteps(ex, ex.server().steps()) == RewriteStep.Flow.DONE) {
            return;
        }
        findAndRun(ex);
    }

    /** The server's post-read handlers (real IP); they answer at once or let the request go on. */
    private static boolean postRead(Exchange ex) {
        for (PhaseHandler h : ex.server().root().handlers(Phase.POST_READ)) {
            int rc = h.handle(ex);
            if (rc == PhaseHandler.DONE) {
                return false;
            }
            if (rc > 0) {
                ex.sendError(rc);
                return false;
            }
        }
        return true;
    }

    static void internalRedirect(Exchange ex) {
        if (!ex.countRedirect()) {
            cycle(ex, "internally redirecting to", ex.uri());
            return;
        }
        ex.attach(Internal.class, Internal.YES);
        start(ex);
    }

    static void namedRedirect(Exchange ex, Location named) {
        if (!ex.countRedirect()) {
            cycle(ex, "redirect to named location", named.name());
            return;
        }
        ex.attach(Internal.class, Internal.YES);
        ex.location(named);
        ex.uriChanged(false);
        RewriteStep.Flow f = locationSteps(ex, named.steps());
        if (f == RewriteStep.Flow.DONE) {
            return;
        }
        if (f == RewriteStep.Flow.RESTART) {
            findAndRun(ex);
            return;
        }
        content(ex);
    }

    /** nginx's limit of 10 redirects passed: its message says what was being done, then the request's context. */
    private static void cycle(Exchange ex, String doing, String what) {
        ErrorLog.of(ex).log(LogLevel.ERROR, ex.connection().id(),
            "rewrite or internal redirection cycle while " + doing + " \"" + ErrorLog.escape(what) + "\"" + ErrorLog.context(ex));
        ex.sendBuiltinPage(500, null);
    }

    private static void findAndRun(Exchange ex) {
        while (true) {
            LocationTree.Found found = ex.uri().equals("*") ? null : ex.server().locations().find(ex.uri());
            ex.locationValid(true);
            if (found == null) {
                ex.location(ex.server().root());
            } else {
                ex.location(found.location());
                for (java.util.regex.Matcher m : found.earlier()) {
                    ex.captures(m);
                }
                if (found.match() != null) {
                    ex.captures(found.match());
                }
            }
            if (ex.location().settings().get(HttpModule.INTERNAL) && ex.attachment(Internal.class) == null) {
                ex.sendError(404);
                return;
            }
            if (!checkBodySize(ex)) {
                return;
            }
            if (found != null && found.autoRedirect()) {
                autoRedirect(ex, found.location());
                return;
            }
            ex.uriChanged(false);
            int changes = ex.uriChanges();
            RewriteStep.Flow f = locationSteps(ex, ex.location().steps());
            if (f == RewriteStep.Flow.DONE) {
                return;
            }
            if (f == RewriteStep.Flow.BREAK && ex.uriChanges() != changes) {
                // "rewrite ... break": the location prefix no longer describes the URI (nginx's valid_location)
                ex.locationValid(false);
            }
            if (f == RewriteStep.Flow.RESTART) {
                if (!ex.countRedirect()) {
                    cycle(ex, "processing", ex.uri());
                    return;
                }
                continue;
            }
            break;
        }
        content(ex);
    }

    /**
     * nginx's answer for "/dir" when the location "/dir/" passes requests on (auto_redirect): a 301
     * to the location's name, URI-escaped as nginx's {@code clcf->escaped_name}, query kept.
     */
    private static void autoRedirect(Exchange ex, Location l) {
        String target = UriEscape.escape(l.name(), UriEscape.Mode.URI);
        if (ex.args() != null && !ex.args().isEmpty()) {
            target = target + "?" + ex.args();
        }
        ex.sendRedirect(301, target);
    }

    /** client_max_body_size, checked from Content-Length before any body is read. */
    private static boolean checkBodySize(Exchange ex) {
        long max = ex.settings().get(HttpModule.CLIENT_MAX_BODY_SIZE);
        if (max > 0 && ex.requestHeaders().contains(HttpHeaderNames.CONTENT_LENGTH)
            && HttpUtil.getContentLength(ex.request(), 0L) > max) {
            ErrorLog.of(ex).log(LogLevel.ERROR, ex.connection().id(), "client intended to send too large body: "
                + HttpUtil.getContentLength(ex.request(), 0L) + " bytes, client: " + ex.remoteHost()
                + ", server: " + ex.server().primaryName() + ", request: \"" + ErrorLog.requestLine(ex) + "\"");
            ex.closeAfterResponse();
            ex.sendError(413);
            return false;
        }
        return true;
    }

    /**
     * The location's rewrite phase with nginx's post-rewrite check: a {@code rewrite} without
     * flag that changed the URI (and no {@code break} after it) searches the location again.
     */
    private static RewriteStep.Flow locationSteps(Exchange ex, List<RewriteStep> steps) {
        RewriteStep.Flow f = runSteps(ex, steps);
        if (f == RewriteStep.Flow.NEXT && ex.uriChanged()) {
            ex.uriChanged(false);
            return RewriteStep.Flow.RESTART;
        }
        return f;
    }

    /** Runs rewrite statements; RESTART and BREAK end the list. */
    static RewriteStep.Flow runSteps(Exchange ex, List<RewriteStep> steps) {
        for (int i = 0; i < steps.size(); i++) {
            RewriteStep.Flow f = steps.get(i).run(ex);
            if (f != RewriteStep.Flow.NEXT) {
                return f;
            }
        }
        return RewriteStep.Flow.NEXT;
    }

    /** The pre-access, access, pre-content and content phases for the location the exchange ended in. */
    public static void content(Exchange ex) {
        // a subrequest is checked and counted as part of its main request (nginx skips access for r != r->main)
        ex.phase = ex.isSubrequest() ? Phase.PRECONTENT : Phase.PREACCESS;
        ex.phaseHandler = 0;
        ex.accessCode = 0;
        ex.accessRefusals = null;
        runPhases(ex);
    }

    /**
     * Goes on after a handler that returned {@link PhaseHandler#AGAIN}, with the code it would
     * have returned had it finished at once. Call it on the exchange's event loop.
     */
    public static void resume(Exchange ex, int rc) {
        if (ex.responseStarted() || ex.isClosed()) {
            return;
        }
        if (handled(ex, rc)) {
            runPhases(ex);
        }
    }

    private static void runPhases(Exchange ex) {
        while (ex.phase != Phase.CONTENT) {
            PhaseHandler[] handlers = ex.location().handlers(ex.phase);
            if (ex.phaseHandler >= handlers.length) {
                if (!phaseEnded(ex)) {
                    return;
                }
                continue;
            }
            if (!handled(ex, handlers[ex.phaseHandler].handle(ex))) {
                return;
            }
        }
        runContentHandler(ex);
    }

    /** What a handler's code means in its phase (nginx's phase checkers); false when processing stops here. */
    private static boolean handled(Exchange ex, int rc) {
        if (rc == PhaseHandler.AGAIN || rc == PhaseHandler.DONE) {
            return false;
        }
        if (rc == PhaseHandler.DECLINED) {
            ex.phaseHandler++;
            return true;
        }
        if (ex.phase == Phase.ACCESS) {
            boolean any = ex.settings().get(HttpModule.SATISFY_ANY);
            if (rc == PhaseHandler.OK) {
                if (any) {
                    // one module allowing is enough: skip the other checks and any denial so far
                    ex.accessCode = 0;
                    ex.accessRefusals = null;
                    ex.wwwAuthenticate(null);
                    return nextPhase(ex);
                }
                ex.phaseHandler++;
                return true;
            }
            if (any && (rc == 401 || rc == 403)) {
                if (ex.accessCode != 401) {
                    ex.accessCode = rc;
                }
                ex.phaseHandler++;
                return true;
            }
        } else if (rc == PhaseHandler.OK) {
            return nextPhase(ex);
        }
        deny(ex, rc);
        return false;
    }

    /** Answers with a handler's status; a 401 from the access phase waits {@code auth_delay} first, as nginx. */
    private static void deny(Exchange ex, int rc) {
        long delay = rc == 401 && ex.phase == Phase.ACCESS ? ex.settings().get(HttpModule.AUTH_DELAY) : 0;
        if (delay <= 0) {
            ex.sendError(rc);
            return;
        }
        ex.eventLoop().schedule(() -> {
            if (!ex.isClosed() && !ex.responseStarted()) {
                ex.sendError(rc);
            }
        }, delay, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** All handlers of the phase ran: under {@code satisfy any}, a denial nobody overruled answers now. */
    private static boolean phaseEnded(Exchange ex) {
        if (ex.phase == Phase.ACCESS && ex.accessCode != 0) {
            if (ex.accessCode == 403) {
                ErrorLog.of(ex).log(LogLevel.ERROR, ex.connection().id(), "access forbidden by rule" + ErrorLog.context(ex));
            }
            if (ex.accessRefusals != null) {
                ex.accessRefusals.forEach(Runnable::run);
                ex.accessRefusals = null;
            }
            deny(ex, ex.accessCode);
            return false;
        }
        return nextPhase(ex);
    }

    private static boolean nextPhase(Exchange ex) {
        ex.phaseHandler = 0;
        ex.phase = switch (ex.phase) {
            case PREACCESS -> Phase.ACCESS;
            case ACCESS -> Phase.PRECONTENT;
            default -> Phase.CONTENT;
        };
        return true;
    }

    /** The content phase: the location's handler, or the default (static files). */
    private static void runContentHandler(Exchange ex) {
        ContentHandler h = ex.location().content();
        if (h == null) {
            h = ex.httpConf().defaultContent();
        }
        h.handle(ex);
    }
}
