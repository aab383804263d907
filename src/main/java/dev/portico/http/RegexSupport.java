package dev.portico.http;

import java.util.regex.Pattern;

/** Compiles nginx (PCRE) regexes to Java ones: {@code (?<name>...)} and {@code (?P<name>...)} named groups. */
public final class RegexSupport {
    private RegexSupport() {
    }

    private static final java.util.Map<Pattern, String[]> NAMES = new java.util.concurrent.ConcurrentHashMap<>();
    private static final Pattern NAMED_GROUP = Pattern.compile("\\(\\?P?<([a-zA-Z][a-zA-Z0-9]*)>");

    /** The names of the named groups written in a regex source ({@code (?<name>} or {@code (?P<name>}). */
    public static java.util.List<String> namedGroups(String source) {
        java.util.List<String> out = new java.util.ArrayList<>();
        java.util.regex.Matcher m = NAMED_GROUP.matcher(source);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /** The named groups of a pattern (Java 17 has no Pattern.namedGroups()); patterns are few and built at load. */
    public static String[] groupNames(Pattern p) {
        return NAMES.computeIfAbsent(p, k -> {
            java.util.List<String> out = new java.util.ArrayList<>();
            java.util.regex.Matcher m = NAMED_GROUP.matcher(k.pattern());
            while (m.find()) {
                out.add(m.group(1));
            }
            return out.toArray(new String[0]);
        });
    }

    public static Pattern compile(String re, boolean caseless) {
        String j = re.replace("(?P<", "(?<");
        return Pattern.compile(j, caseless ? Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE : 0);
    }
}
