package dev.portico.http.headers;

import dev.portico.config.directive.Values;
import dev.portico.http.Exchange;
import dev.portico.http.HttpDate;
import dev.portico.variables.Template;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.HttpHeaders;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Date;

/**
 * {@code expires [modified] time|epoch|max|off|@time}: the Expires and Cache-Control fields, as
 * nginx's ngx_http_set_expires computes them. A value with variables is parsed per response.
 */
record Expires(Mode mode, long seconds, Template value) {
    enum Mode { OFF, EPOCH, MAX, ACCESS, MODIFIED, DAILY }

    static final Expires OFF = new Expires(Mode.OFF, 0, null);

    /** A parsed time: the mode it implies and its seconds, or the nginx message of why it is invalid. */
    record Parsed(Mode mode, long seconds, String error) {
    }

    /** nginx's ngx_http_parse_expires; {@code mode} is ACCESS or MODIFIED (the "modified" prefix). */
    static Parsed parse(String v, Mode mode) {
        if (mode != Mode.MODIFIED) {
            switch (v) {
                case "epoch" -> {
                    return new Parsed(Mode.EPOCH, 0, null);
                }
                case "max" -> {
                    return new Parsed(Mode.MAX, 0, null);
                }
                case "off" -> {
                    return new Parsed(Mode.OFF, 0, null);
                }
                default -> {
                }
            }
        }
        boolean minus = false;
        String t = v;
        if (t.startsWith("@")) {
            if (mode == Mode.MODIFIED) {
                return new Parsed(mode, 0, "daily time cannot be used with \"modified\" parameter");
            }
            mode = Mode.DAILY;
            t = t.substring(1);
        } else if (t.startsWith("+")) {
            t = t.substring(1);
        } else if (t.startsWith("-")) {
            minus = true;
            t = t.substring(1);
        }
        long s = Values.parseTime(t, false);
        if (s < 0 || t.isBlank()) {
            return new Parsed(mode, 0, "invalid value");
        }
        if (mode == Mode.DAILY && s > 24 * 60 * 60) {
            return new Parsed(mode, 0, "daily time value must be less than 24 hours");
        }
        return new Parsed(mode, minus ? -s : s, null);
    }

    void apply(Exchange ex, HttpHeaders h) {
        Mode m = mode;
        long time = seconds;
        if (value != null) {
            Parsed p = parse(value.render(ex), m);
            if (p.error() != null || p.mode() == Mode.OFF) {
                return;
            }
            m = p.mode();
            time = p.seconds();
        }
        if (m == Mode.OFF) {
            return;
        }
        if (m == Mode.EPOCH) {
            h.set("Expires", "Thu, 01 Jan 1970 00:00:01 GMT");
            h.set("Cache-Control", "no-cache");
            return;
        }
        if (m == Mode.MAX) {
            h.set("Expires", "Thu, 31 Dec 2037 23:55:55 GMT");
            h.set("Cache-Control", "max-age=315360000");
            return;
        }
        if (time == 0 && m != Mode.DAILY) {
            h.set("Expires", HttpDate.now());
            h.set("Cache-Control", "max-age=0");
            return;
        }
        long now = System.currentTimeMillis() / 1000;
        long lastModified = lastModified(h);
        long expiresAt;
        long maxAge;
        if (m == Mode.DAILY) {
            expiresAt = nextTime(time, now);
            maxAge = expiresAt - now;
        } else if (m == Mode.ACCESS || lastModified < 0) {
            maxAge = time;
            expiresAt = now + time;
        } else {
            expiresAt = lastModified + time;
            maxAge = expiresAt - now;
        }
        h.set("Expires", DateFormatter.format(new Date(expiresAt * 1000)));
        // nginx tests the configured time here, not the one a variable gave
        h.set("Cache-Control", seconds < 0 || maxAge < 0 ? "no-cache" : "max-age=" + maxAge);
    }

    private static long lastModified(HttpHeaders h) {
        String v = h.get("Last-Modified");
        return v == null ? -1 : HttpDate.parse(v);
    }

    /** The next moment (local time) at {@code secondsOfDay} after midnight: today if still ahead, else tomorrow. */
    static long nextTime(long secondsOfDay, long now) {
        ZonedDateTime n = ZonedDateTime.ofInstant(java.time.Instant.ofEpochSecond(now), ZoneId.systemDefault());
        ZonedDateTime t = n.toLocalDate().atStartOfDay(ZoneId.systemDefault()).plusSeconds(secondsOfDay);
        if (t.toEpochSecond() - now > 0) {
            return t.toEpochSecond();
        }
        return t.plusDays(1).toEpochSecond();
    }
}
