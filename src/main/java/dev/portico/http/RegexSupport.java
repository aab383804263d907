package dev.portico.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Compiles nginx (PCRE) regexes to Java ones. PCRE's named groups ({@code (?<name>...)},
 * {@code (?P<name>...)}, {@code (?'name'...)}) allow names Java rejects (e.g. with "_"), so
 * they become plain numbered groups and the names are remembered per group number;
 * {@code (?P=name)} and {@code \k<name>} back references become numbered ones.
 */
public final class RegexSupport {
    private RegexSupport() {
    }

    /** Group names of the patterns with named groups; weak keys, so patterns of old snapshots go away. */
    private static final Cache<Pattern, String[]> NAMES = Caffeine.newBuilder().weakKeys().build();
    private static final String[] NONE = new String[0];
    private static final Pattern NAMED_GROUP_ANY = Pattern.compile("\\(\\?(?:P?<|')([a-zA-Z_][a-zA-Z0-9_]*)[>']");

    /**
     * The group names of a pattern compiled here, indexed by group number ({@code null} for an
     * unnamed group); an empty array when the pattern has no named group.
     */
    public static String[] groupNames(Pattern p) {
        String[] names = NAMES.getIfPresent(p);
        return names == null ? NONE : names;
    }

    /** The group names a PCRE pattern text declares (used to know capture variables before compiling). */
    public static List<String> namedGroupsIn(String re) {
        if (re.indexOf("(?") < 0) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        Matcher m = NAMED_GROUP_ANY.matcher(re);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    public static Pattern compile(String re, boolean caseless) {
        List<String> names = new ArrayList<>();
        String j = translate(re, names);
        // byte strings (ByteStrings) matched as PCRE matches bytes: only "\n" ends a line (not 0x85),
        // and "~*" folds ASCII letters only
        Pattern p = Pattern.compile(j, Pattern.UNIX_LINES | (caseless ? Pattern.CASE_INSENSITIVE : 0));
        if (names.stream().anyMatch(n -> n != null)) {
            String[] byGroup = new String[names.size() + 1];
            for (int i = 0; i < names.size(); i++) {
                byGroup[i + 1] = names.get(i);
            }
            NAMES.put(p, byGroup);
        }
        return p;
    }

    /** Rewrites named groups and back references; {@code names} gets one entry per capturing group. */
    private static String translate(String re, List<String> names) {
        if (re.indexOf("(?") < 0) {
            return re;
        }
        StringBuilder out = new StringBuilder(re.length());
        int i = 0;
        boolean inClass = false;
        while (i < re.length()) {
            char c = re.charAt(i);
            if (c == '\\' && i + 1 < re.length()) {
                char n = re.charAt(i + 1);
                if (n == 'Q') {
                    int end = re.indexOf("\\E", i + 2);
                    int stop = end < 0 ? re.length() : end + 2;
                    out.append(re, i, stop);
                    i = stop;
                    continue;
                }
                if (!inClass && n == 'k' && i + 2 < re.length() && "<{'".indexOf(re.charAt(i + 2)) >= 0) {
                    char close = re.charAt(i + 2) == '<' ? '>' : re.charAt(i + 2) == '{' ? '}' : '\'';
                    int end = re.indexOf(close, i + 3);
                    int g = end < 0 ? -1 : names.indexOf(re.substring(i + 3, end));
                    if (g >= 0) {
                        out.append("(?:\\").append(g + 1).append(')');
                        i = end + 1;
                        continue;
                    }
                }
                out.append(c).append(n);
                i += 2;
                continue;
            }
            if (inClass) {
                if (c == ']') {
                    inClass = false;
                }
                out.append(c);
                i++;
                continue;
            }
            if (c == '[') {
                inClass = true;
                out.append(c);
                i++;
                // a "]" right after "[" or "[^" is a literal
                if (i < re.length() && re.charAt(i) == '^') {
                    out.append('^');
                    i++;
                }
                if (i < re.length() && re.charAt(i) == ']') {
                    out.append(']');
                    i++;
                }
                continue;
            }
            if (c == '(') {
                if (re.startsWith("(?P=", i)) {
                    int end = re.indexOf(')', i);
                    int g = end < 0 ? -1 : names.indexOf(re.substring(i + 4, end));
                    if (g >= 0) {
                        out.append("(?:\\").append(g + 1).append(')');
                        i = end + 1;
                        continue;
                    }
                }
                Matcher m = NAMED_GROUP_ANY.matcher(re).region(i, re.length());
                if (m.lookingAt()) {
                    names.add(m.group(1));
                    out.append('(');
                    i = m.end();
                    continue;
                }
                if (i + 1 >= re.length() || (re.charAt(i + 1) != '?' && re.charAt(i + 1) != '*')) {
                    names.add(null);
                }
            }
            out.append(c);
            i++;
        }
        return out.toString();
    }
}
