package dev.portico.config.directive;

import dev.portico.config.ConfNode;
import dev.portico.config.ConfigException;
import java.util.Locale;

/** nginx's value syntaxes: flags, sizes, times, numbers. */
public final class Values {
    private Values() {
    }

    public static boolean flag(ConfNode node, String v) throws ConfigException {
        if (v.equalsIgnoreCase("on")) {
            return true;
        }
        if (v.equalsIgnoreCase("off")) {
            return false;
        }
        throw node.error("invalid value \"" + v + "\" in \"" + node.name() + "\" directive, it must be \"on\" or \"off\"");
    }

    /** {@code 512}, {@code 10k}, {@code 8m}, {@code 1g} (case-insensitive), in bytes. */
    public static long size(ConfNode node, String v) throws ConfigException {
        long r = parseSize(v);
        if (r < 0) {
            throw node.error("\"" + node.name() + "\" directive invalid value");
        }
        return r;
    }

    /** Parses a size, or returns -1. */
    public static long parseSize(String v) {
        if (v.isEmpty()) {
            return -1;
        }
        long mul = 1;
        String digits = v;
        switch (Character.toLowerCase(v.charAt(v.length() - 1))) {
            case 'k' -> mul = 1024;
            case 'm' -> mul = 1024 * 1024;
            case 'g' -> mul = 1024L * 1024 * 1024;
            default -> {
            }
        }
        if (mul != 1) {
            digits = v.substring(0, v.length() - 1);
        }
        if (digits.isEmpty() || digits.length() > 15 || !digits.chars().allMatch(Character::isDigit)) {
            return -1;
        }
        return Long.parseLong(digits) * mul;
    }

    /** A time in milliseconds; a bare number means seconds. */
    public static long timeMillis(ConfNode node, String v) throws ConfigException {
        long r = parseTime(v, true);
        if (r < 0) {
            throw node.error("\"" + node.name() + "\" directive invalid value");
        }
        return r;
    }

    /** A time in whole seconds (nginx's ngx_conf_set_sec_slot). */
    public static long timeSeconds(ConfNode node, String v) throws ConfigException {
        long r = parseTime(v, false);
        if (r < 0) {
            throw node.error("\"" + node.name() + "\" directive invalid value");
        }
        return r;
    }

    /**
     * nginx's ngx_parse_time: a sequence of number+unit (ms, s, m, h, d, w, M, y) optionally
     * separated by spaces; a bare number is seconds. Returns milliseconds (or seconds when
     * {@code millis} is false, where {@code ms} is not allowed), or -1 when invalid.
     */
    public static long parseTime(String v, boolean millis) {
        String s = v.trim();
        if (s.isEmpty()) {
            return -1;
        }
        long total = 0;
        int i = 0;
        int lastRank = Integer.MAX_VALUE;
        while (i < s.length()) {
            int start = i;
            while (i < s.length() && Character.isDigit(s.charAt(i))) {
                i++;
            }
            if (i == start || i - start > 12) {
                return -1;
            }
            long n = Long.parseLong(s.substring(start, i));
            long unitMs;
            int rank;
            if (i >= s.length() || s.charAt(i) == ' ') {
                unitMs = 1000;
                rank = 1;
            } else {
                char c = s.charAt(i);
                if (c == 'm' && i + 1 < s.length() && s.charAt(i + 1) == 's') {
                    if (!millis) {
                        return -1;
                    }
                    unitMs = 1;
                    rank = 0;
                    i += 2;
                } else {
                    switch (c) {
                        case 'y' -> { unitMs = 365L * 86400_000; rank = 7; }
                        case 'M' -> { unitMs = 30L * 86400_000; rank = 6; }
                        case 'w' -> { unitMs = 7L * 86400_000; rank = 5; }
                        case 'd' -> { unitMs = 86400_000L; rank = 4; }
                        case 'h' -> { unitMs = 3600_000L; rank = 3; }
                        case 'm' -> { unitMs = 60_000L; rank = 2; }
                        case 's' -> { unitMs = 1000L; rank = 1; }
                        default -> { return -1; }
                    }
                    i++;
                }
            }
            if (rank >= lastRank) {
                return -1;
            }
            lastRank = rank;
            total += n * unitMs;
            while (i < s.length() && s.charAt(i) == ' ') {
                i++;
            }
        }
        return millis ? total : total / 1000;
    }

    public static int number(ConfNode node, String v) throws ConfigException {
        try {
            // ngx_atoi: digits only (no sign, no space)
            if (v.isEmpty() || !v.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new NumberFormatException();
            }
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw node.error("\"" + node.name() + "\" directive invalid number");
        }
    }

    /** One of a fixed set of words; anything else is {@code invalid value "v" in "x" directive}. */
    public static <E extends Enum<E>> ValueParser<E> enumOf(Class<E> type) {
        return (node, v) -> {
            for (E e : type.getEnumConstants()) {
                if (e.name().toLowerCase(Locale.ROOT).replace('_', '-').equals(v.toLowerCase(Locale.ROOT))) {
                    return e;
                }
            }
            throw node.invalidValue(v);
        };
    }
}
