package dev.portico.proxy;

import dev.portico.config.ConfNode;
import dev.portico.config.ConfigException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code proxy_next_upstream}: in which cases a request is passed to the next server (a bit
 * mask, as nginx). error, timeout and invalid_header always count as failed attempts for
 * {@code max_fails}; http_500/502/503/504/429 count only when listed; http_403/404 never do.
 */
final class NextUpstream {
    static final int ERROR = 1;
    static final int TIMEOUT = 1 << 1;
    static final int INVALID_HEADER = 1 << 2;
    static final int NON_IDEMPOTENT = 1 << 3;
    static final int HTTP_500 = 1 << 4;
    static final int HTTP_502 = 1 << 5;
    static final int HTTP_503 = 1 << 6;
    static final int HTTP_504 = 1 << 7;
    static final int HTTP_403 = 1 << 8;
    static final int HTTP_404 = 1 << 9;
    static final int HTTP_429 = 1 << 10;
    static final int UPDATING = 1 << 11;
    static final int OFF = 1 << 12;
    /** nginx's default: {@code error timeout}. */
    static final int DEFAULT = ERROR | TIMEOUT;

    private static final Map<String, Integer> NAMES = new LinkedHashMap<>();

    static {
        NAMES.put("error", ERROR);
        NAMES.put("timeout", TIMEOUT);
        NAMES.put("invalid_header", INVALID_HEADER);
        NAMES.put("non_idempotent", NON_IDEMPOTENT);
        NAMES.put("http_500", HTTP_500);
        NAMES.put("http_502", HTTP_502);
        NAMES.put("http_503", HTTP_503);
        NAMES.put("http_504", HTTP_504);
        NAMES.put("http_403", HTTP_403);
        NAMES.put("http_404", HTTP_404);
        NAMES.put("http_429", HTTP_429);
        // proxy_cache_use_stale's companion; there is no cache to update
        NAMES.put("updating", UPDATING);
        NAMES.put("off", OFF);
    }

    private NextUpstream() {
    }

    /** The mask of a directive's values; "off" anywhere turns everything off (nginx's merge does the same). */
    static int parse(ConfNode node) throws ConfigException {
        int mask = 0;
        for (String v : node.args()) {
            Integer bit = NAMES.get(v);
            if (bit == null) {
                throw node.error("invalid value \"" + v + "\"");
            }
            if ((mask & bit) != 0) {
                dev.portico.observability.ErrorLog.warn("duplicate value \"" + v + "\" in " + node.file() + ":" + node.line());
            }
            mask |= bit;
        }
        return (mask & OFF) != 0 ? OFF : mask;
    }

    /** The bit of a response status that may be passed on, or 0. */
    static int ofStatus(int status) {
        return switch (status) {
            case 500 -> HTTP_500;
            case 502 -> HTTP_502;
            case 503 -> HTTP_503;
            case 504 -> HTTP_504;
            case 403 -> HTTP_403;
            case 404 -> HTTP_404;
            case 429 -> HTTP_429;
            default -> 0;
        };
    }

    /** Whether an answer with this status counts towards max_fails (when it was listed). */
    static boolean statusCountsAsFailure(int status) {
        return status != 403 && status != 404;
    }
}
