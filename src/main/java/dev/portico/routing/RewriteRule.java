package dev.portico.routing;

import dev.portico.http.Exchange;
import dev.portico.http.RewriteStep;
import dev.portico.observability.ErrorLog;
import dev.portico.observability.LogLevel;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code rewrite regex replacement [flag]}: when the regex matches {@code $uri}, the URI (and
 * maybe the arguments) become the replacement, or the client is redirected. Without a flag the
 * statements go on and the location is searched again at the end of the phase; {@code last}
 * searches at once, {@code break} stays in the location, {@code redirect}/{@code permanent}
 * (or a replacement starting with {@code http://}, {@code https://}, {@code $scheme}) answer
 * 302/301.
 */
final class RewriteRule implements RewriteStep {
    enum Flag { NONE, LAST, BREAK, REDIRECT, PERMANENT }

    private final Pattern regex;
    private final String source;
    private final Replacement replacement;
    private final boolean addArgs;
    private final int redirectStatus;
    private final Flag flag;

    RewriteRule(Pattern regex, String source, Replacement replacement, boolean addArgs, int redirectStatus, Flag flag) {
        this.regex = regex;
        this.source = source;
        this.replacement = replacement;
        this.addArgs = addArgs;
        this.redirectStatus = redirectStatus;
        this.flag = flag;
    }

    @Override
    public Flow run(Exchange ex) {
        String uri = ex.uri();
        Matcher m = regex.matcher(uri);
        boolean log = RewriteLog.enabled(ex);
        if (!m.find()) {
            if (log) {
                RewriteLog.notice(ex, "\"" + source + "\" does not match \"" + ErrorLog.escape(uri) + "\"");
            }
            ex.clearCaptures();
            return Flow.NEXT;
        }
        if (log) {
            RewriteLog.notice(ex, "\"" + source + "\" matches \"" + ErrorLog.escape(uri) + "\"");
        }
        if (m.groupCount() > 0) {
            ex.captures(m);
        }
        boolean escape = quotedUri(ex);
        String args = ex.args();
        boolean hasArgs = args != null && !args.isEmpty();
        if (redirectStatus != 0) {
            String target = replacement.renderRedirect(ex, escape);
            if (addArgs && hasArgs) {
                target = target + (replacement.hasQuestionMark() ? '&' : '?') + args;
            }
            if (log) {
                RewriteLog.notice(ex, "rewritten redirect: \"" + ErrorLog.escape(target) + "\"");
            }
            ex.sendRedirect(redirectStatus, target);
            return Flow.DONE;
        }
        Replacement.Result r = replacement.renderInternal(ex, escape);
        String newArgs;
        if (r.args() != null) {
            newArgs = addArgs && hasArgs ? r.args() + "&" + args : r.args();
        } else {
            newArgs = addArgs ? args : null;
        }
        if (log) {
            RewriteLog.notice(ex, "rewritten data: \"" + ErrorLog.escape(r.uri()) + "\", args: \"" + ErrorLog.escape(newArgs == null ? "" : newArgs) + "\"");
        }
        if (r.uri().isEmpty()) {
            ErrorLog.of(ex).log(LogLevel.ERROR, ex.connection().id(), "the rewritten URI has a zero length" + ErrorLog.context(ex));
            ex.sendError(500);
            return Flow.DONE;
        }
        ex.uri(r.uri());
        ex.args(newArgs);
        ex.markInternal();
        switch (flag) {
            case BREAK -> {
                ex.uriChanged(false);
                return Flow.BREAK;
            }
            case LAST -> {
                return Flow.RESTART;
            }
            default -> {
                ex.uriChanged(true);
                return Flow.NEXT;
            }
        }
    }

    /** nginx escapes captures copied into arguments only when the request URI was escaped ("%") or had a "+". */
    private static boolean quotedUri(Exchange ex) {
        String raw = ex.requestUri();
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '?') {
                return false;
            }
            if (c == '%' || c == '+') {
                return true;
            }
        }
        return false;
    }
}
