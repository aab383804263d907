package dev.portico.http;

import io.netty.handler.codec.DateFormatter;
import java.util.Date;

/**
 * The {@code Date} header value, formatted at most once per second; and HTTP dates read as
 * nginx's ngx_parse_http_time reads them.
 */
public final class HttpDate {
    private static volatile long cachedSecond;
    private static volatile String cached = "";

    private HttpDate() {
    }

    public static String now() {
        long now = System.currentTimeMillis();
        long sec = now / 1000;
        if (sec != cachedSecond) {
            cached = DateFormatter.format(new Date(sec * 1000));
            cachedSecond = sec;
        }
        return cached;
    }

    private static final int[] MDAY = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    /**
     * An HTTP date in seconds since the epoch, or -1, exactly as nginx's ngx_parse_http_time:
     * "Tue, 10 Nov 2002 23:50:13", "Tuesday, 10-Dec-02 23:50:13" or "Tue Dec 10 23:50:13 2002"
     * (the weekday and what follows the time are not looked at; months are matched on the
     * letters nginx tests, case-sensitively; days and times need two digits).
     */
    public static long parse(String v) {
        int end = v.length();
        int p = 0;
        boolean isoc = false;
        for (; p < end; p++) {
            char c = v.charAt(p);
            if (c == ',') {
                break;
            }
            if (c == ' ') {
                isoc = true;
                break;
            }
        }
        for (p++; p < end && v.charAt(p) == ' '; p++) {
            // spaces after the weekday
        }
        if (end - p < 18) {
            return -1;
        }
        boolean rfc850 = false;
        int day = 0;
        int year = 0;
        if (!isoc) {
            if (!digits(v, p, 2)) {
                return -1;
            }
            day = number(v, p, 2);
            p += 2;
            if (v.charAt(p) == ' ') {
                if (end - p < 18) {
                    return -1;
                }
            } else if (v.charAt(p) == '-') {
                rfc850 = true;
            } else {
                return -1;
            }
            p++;
        }
        int month;
        switch (v.charAt(p)) {
            case 'J' -> month = v.charAt(p + 1) == 'a' ? 0 : v.charAt(p + 2) == 'n' ? 5 : 6;
            case 'F' -> month = 1;
            case 'M' -> month = v.charAt(p + 2) == 'r' ? 2 : 4;
            case 'A' -> month = v.charAt(p + 1) == 'p' ? 3 : 7;
            case 'S' -> month = 8;
            case 'O' -> month = 9;
            case 'N' -> month = 10;
            case 'D' -> month = 11;
            default -> {
                return -1;
            }
        }
        p += 3;
        if (!isoc && v.charAt(p) != (rfc850 ? '-' : ' ')) {
            return -1;
        }
        p++;
        if (isoc) {
            if (at(v, p) == ' ') {
                p++;
            }
            if (!digits(v, p, 1)) {
                return -1;
            }
            day = v.charAt(p++) - '0';
            if (at(v, p) != ' ') {
                if (!digits(v, p, 1)) {
                    return -1;
                }
                day = day * 10 + v.charAt(p++) - '0';
            }
            if (end - p < 14) {
                return -1;
            }
        } else if (rfc850) {
            if (!digits(v, p, 2)) {
                return -1;
            }
            year = number(v, p, 2);
            year += year < 70 ? 2000 : 1900;
            p += 2;
        } else {
            if (!digits(v, p, 4)) {
                return -1;
            }
            year = number(v, p, 4);
            p += 4;
        }
        if (at(v, p++) != ' ' || !digits(v, p, 2) || at(v, p + 2) != ':' || !digits(v, p + 3, 2)
            || at(v, p + 5) != ':' || !digits(v, p + 6, 2)) {
            return -1;
        }
        int hour = number(v, p, 2);
        int min = number(v, p + 3, 2);
        int sec = number(v, p + 6, 2);
        p += 8;
        if (isoc) {
            if (at(v, p++) != ' ' || !digits(v, p, 4)) {
                return -1;
            }
            year = number(v, p, 4);
        }
        if (hour > 23 || min > 59 || sec > 59) {
            return -1;
        }
        if (day == 29 && month == 1) {
            if ((year & 3) != 0 || year % 100 == 0 && year % 400 != 0) {
                return -1;
            }
        } else if (day > MDAY[month]) {
            return -1;
        }
        // Gauss' formula, as nginx: the year starts on March 1, months count from 1
        if (--month <= 0) {
            month += 12;
            year -= 1;
        }
        long days = 365L * year + year / 4 - year / 100 + year / 400 + 367L * month / 12 - 30 + day - 1 - 719527 + 31 + 28;
        return days * 86400 + hour * 3600L + min * 60L + sec;
    }

    private static char at(String v, int i) {
        return i < v.length() ? v.charAt(i) : 0;
    }

    private static boolean digits(String v, int from, int n) {
        for (int i = from; i < from + n; i++) {
            char c = at(v, i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static int number(String v, int from, int n) {
        int r = 0;
        for (int i = from; i < from + n; i++) {
            r = r * 10 + v.charAt(i) - '0';
        }
        return r;
    }
}
