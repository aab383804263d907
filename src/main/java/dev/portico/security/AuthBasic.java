package dev.portico.security;

import dev.portico.bytes.ByteStrings;
import dev.portico.http.Exchange;
import dev.portico.http.PhaseHandler;
import dev.portico.observability.ErrorLog;
import dev.portico.observability.LogLevel;
import dev.portico.variables.Template;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * The access phase handler of a location with {@code auth_basic} (ngx_http_auth_basic_module):
 * the request's Basic credentials are checked against the user file; a missing, unknown or
 * wrong one gets 401 with the realm's challenge (and nginx's log line), which {@code satisfy any}
 * may overrule. The password itself is never logged. Each refusal is counted for the
 * {@code auth_basic} line in force ({@link Counts}).
 */
final class AuthBasic implements PhaseHandler {
    /** The refusals of one {@code auth_basic} line (see {@link Refusals}). */
    static final class Counts implements Refusals.LineCounts {
        final LongAdder passwordMismatch = new LongAdder();
        final LongAdder unknownUser = new LongAdder();
        /** No Authorization header, or one that is not readable Basic credentials. */
        final LongAdder noCredentials = new LongAdder();

        @Override
        public void rows(String name, List<Refusals.Row> out) {
            out.add(new Refusals.Row("auth_basic", name, "password_mismatch", passwordMismatch.sum()));
            out.add(new Refusals.Row("auth_basic", name, "unknown_user", unknownUser.sum()));
            out.add(new Refusals.Row("auth_basic", name, "no_credentials", noCredentials.sum()));
        }
    }

    private final Template realm;
    private final HtpasswdFile users;
    private final Counts counts;

    AuthBasic(Template realm, HtpasswdFile users, Counts counts) {
        this.realm = realm;
        this.users = users;
        this.counts = counts;
    }

    @Override
    public int handle(Exchange ex) {
        String r = realm.render(ex);
        if (r == null || r.equals("off")) {
            return DECLINED;
        }
        String header = ex.requestHeaders().get(HttpHeaderNames.AUTHORIZATION);
        String credentials = decode(header);
        if (credentials == null) {
            if (header != null) {
                log(ex, "client sent invalid \"Authorization\" header");
            } else {
                log(ex, "no user/password was provided for basic authentication");
            }
            Refusals.countDenial(ex, counts.noCredentials);
            return challenge(ex, r);
        }
        if (users.failure() != null) {
            ErrorLog.of(ex).log(LogLevel.CRIT, ex.connection().id(), "open() \"" + users.path() + "\" failed ("
                + users.failure().getMessage() + ")" + ErrorLog.context(ex));
            return 500;
        }
        int colon = credentials.indexOf(':');
        String user = colon < 0 ? credentials : credentials.substring(0, colon);
        String password = colon < 0 ? "" : credentials.substring(colon + 1);
        String hash = users.hash(user);
        if (hash == null) {
            log(ex, "user \"" + ErrorLog.escape(user) + "\" was not found in \"" + users.path() + "\"");
            Refusals.countDenial(ex, counts.unknownUser);
            return challenge(ex, r);
        }
        if (!HtpasswdFile.matches(hash, password)) {
            log(ex, "user \"" + ErrorLog.escape(user) + "\": password mismatch");
            Refusals.countDenial(ex, counts.passwordMismatch);
            return challenge(ex, r);
        }
        return OK;
    }

    /** The user:password of {@code Basic <base64>}, as bytes; null when absent or malformed. */
    private static String decode(String header) {
        if (header == null || header.length() < 6 || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        try {
            byte[] raw = Base64.getDecoder().decode(header.substring(6).trim());
            return ByteStrings.of(raw);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static int challenge(Exchange ex, String realm) {
        ex.wwwAuthenticate("Basic realm=\"" + realm.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
        return 401;
    }

    private static void log(Exchange ex, String message) {
        ErrorLog.of(ex).log(LogLevel.ERROR, ex.connection().id(), message + ErrorLog.context(ex));
    }
}
