package dev.portico.observability;

import java.util.Locale;

/** nginx's error log levels, most severe last. */
public enum LogLevel {
    DEBUG, INFO, NOTICE, WARN, ERROR, CRIT, ALERT, EMERG;

    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static LogLevel parse(String s) {
        for (LogLevel l : values()) {
            if (l.word().equals(s)) {
                return l;
            }
        }
        return null;
    }
}
