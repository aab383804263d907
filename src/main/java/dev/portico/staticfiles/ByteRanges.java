package dev.portico.staticfiles;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@code Range: bytes=...} header against a file of known size, parsed as nginx's range filter
 * does (RFC 9110 section 14.1.2): {@code a-b}, {@code a-}, {@code -n}, comma-separated. Ranges
 * that start past the end are skipped; none left is 416; more ranges than {@code max_ranges}, or
 * ranges adding up to more than the file, give the whole file instead.
 */
final class ByteRanges {
    enum Kind { NONE, UNSATISFIABLE, RANGES }

    /** [start, end) pairs in the order requested. */
    record Result(Kind kind, List<long[]> ranges) {
        static final Result NONE = new Result(Kind.NONE, List.of());
        static final Result UNSATISFIABLE = new Result(Kind.UNSATISFIABLE, List.of());
    }

    private ByteRanges() {
    }

    static Result parse(String header, long size, int maxRanges) {
        if (header == null || header.length() < 7 || !header.regionMatches(true, 0, "bytes=", 0, 6)) {
            return Result.NONE;
        }
        String s = header.substring(6);
        int p = 0;
        int n = s.length();
        List<long[]> ranges = new ArrayList<>();
        long total = 0;
        int left = maxRanges;
        while (true) {
            long start = 0;
            long end = 0;
            boolean suffix = false;
            while (p < n && s.charAt(p) == ' ') {
                p++;
            }
            boolean openEnded = false;
            if (p >= n || s.charAt(p) != '-') {
                if (p >= n || !digit(s.charAt(p))) {
                    return Result.UNSATISFIABLE;
                }
                while (p < n && digit(s.charAt(p))) {
                    if (start >= Long.MAX_VALUE / 10) {
                        return Result.UNSATISFIABLE;
                    }
                    start = start * 10 + (s.charAt(p++) - '0');
                }
                while (p < n && s.charAt(p) == ' ') {
                    p++;
                }
                if (p >= n || s.charAt(p++) != '-') {
                    return Result.UNSATISFIABLE;
                }
                while (p < n && s.charAt(p) == ' ') {
                    p++;
                }
                if (p >= n || s.charAt(p) == ',') {
                    end = size;
                    openEnded = true;
                }
            } else {
                suffix = true;
                p++;
            }
            if (!openEnded) {
                if (p >= n || !digit(s.charAt(p))) {
                    return Result.UNSATISFIABLE;
                }
                while (p < n && digit(s.charAt(p))) {
                    if (end >= Long.MAX_VALUE / 10) {
                        return Result.UNSATISFIABLE;
                    }
                    end = end * 10 + (s.charAt(p++) - '0');
                }
                while (p < n && s.charAt(p) == ' ') {
                    p++;
                }
                if (p < n && s.charAt(p) != ',') {
                    return Result.UNSATISFIABLE;
                }
                if (suffix) {
                    start = end < size ? size - end : 0;
                    end = size;
                } else {
                    end = end >= size ? size : end + 1;
                }
            }
            if (start < end) {
                ranges.add(new long[] {start, end});
                total += end - start;
                if (left-- == 0) {
                    return Result.NONE;
                }
            } else if (start == 0) {
                return Result.NONE;
            }
            if (p >= n || s.charAt(p++) != ',') {
                break;
            }
        }
        if (ranges.isEmpty()) {
            return Result.UNSATISFIABLE;
        }
        if (total > size) {
            return Result.NONE;
        }
        return new Result(Kind.RANGES, List.copyOf(ranges));
    }

    private static boolean digit(char c) {
        return c >= '0' && c <= '9';
    }
}
