package dev.portico.http;

import io.netty.handler.codec.DateFormatter;
import java.util.Date;

/** The {@code Date} header value, formatted at most once per second. */
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
}
