package dev.portico.staticfiles;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * Conditional requests for a 200 response, in nginx's not-modified filter order (RFC 9110
 * section 13.2.2): If-Unmodified-Since and If-Match fail with 412; If-Modified-Since and
 * If-None-Match (both must agree when both are sent) give 304.
 */
final class Preconditions {
    enum Result { PROCEED, NOT_MODIFIED, FAILED }

    private Preconditions() {
    }

    static Result check(HttpHeaders request, String etag, long mtimeSeconds, StaticModule.ModifiedSince mode) {
        String ius = request.get(HttpHeaderNames.IF_UNMODIFIED_SINCE);
        if (ius != null && !(parseTime(ius) >= mtimeSeconds)) {
            return Result.FAILED;
        }
        String ifMatch = request.get(HttpHeaderNames.IF_MATCH);
        if (ifMatch != null && !matches(ifMatch, etag, false)) {
            return Result.FAILED;
        }
        String ims = request.get(HttpHeaderNames.IF_MODIFIED_SINCE);
        String inm = request.get(HttpHeaderNames.IF_NONE_MATCH);
        if (ims == null && inm == null) {
            return Result.PROCEED;
        }
        if (ims != null && modified(ims, mtimeSeconds, mode)) {
            return Result.PROCEED;
        }
        if (inm != null && !matches(inm, etag, true)) {
            return Result.PROCEED;
        }
        return Result.NOT_MODIFIED;
    }

    /** {@code if_modified_since}: off ignores the header, exact needs the same time, before accepts an older file too. */
    private static boolean modified(String header, long mtime, StaticModule.ModifiedSince mode) {
        if (mode == StaticModule.ModifiedSince.OFF) {
            return true;
        }
        long since = parseTime(header);
        if (since == mtime) {
            return false;
        }
        return mode == StaticModule.ModifiedSince.EXACT || since < mtime;
    }

    /** An HTTP date in seconds as nginx reads it (RFC 1123, RFC 850 or asctime form), or -1. */
    static long parseTime(String value) {
        return dev.portico.http.HttpDate.parse(value);
    }

    /**
     * An If-Match / If-None-Match list against the response's entity tag: "*" matches any, entries
     * are compared as strings; the weak comparison (If-None-Match) ignores a "W/" on either side.
     */
    static boolean matches(String header, String etag, boolean weak) {
        if (etag == null) {
            return false;
        }
        String h = header.trim();
        if (h.equals("*")) {
            return true;
        }
        String tag = weak && etag.startsWith("W/") ? etag.substring(2) : etag;
        for (String part : h.split(",")) {
            String t = part.trim();
            if (weak && t.startsWith("W/")) {
                t = t.substring(2);
            }
            if (t.equals(tag)) {
                return true;
            }
        }
        return false;
    }
}
