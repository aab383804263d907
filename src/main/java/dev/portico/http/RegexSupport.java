package dev.portico.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

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
        refuseDuplicateNames(re);
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

    /** PCRE2 without PCRE2_DUPNAMES refuses a name given twice (Java's numbered translation would not notice). */
    private static void refuseDuplicateNames(String re) {
        if (re.indexOf("(?") < 0) {
            return;
        }
        java.util.Set<String> seen = new java.util.HashSet<>();
        Matcher m = NAMED_GROUP_ANY.matcher(re);
        while (m.find()) {
            if (!seen.add(m.group(1))) {
                throw new PatternSyntaxException(PCRE_DUPNAMES, re, m.end());
            }
        }
    }

    private static final String PCRE_DUPNAMES = "two named subpatterns have the same name (PCRE2_DUPNAMES not set)";

    /**
     * nginx's message for a regex that does not compile: {@code pcre2_compile() failed: WHAT in
     * "RE"}, with {@code at "REST"} when the error is found before the end. Java's descriptions of
     * the usual mistakes are given in PCRE2's words, at the offset PCRE2 reports.
     */
    public static String compileError(PatternSyntaxException e, String re) {
        String what = e.getDescription();
        int at = e.getIndex();
        if (what.equals("Unclosed group")) {
            what = "missing closing parenthesis";
            at = re.length();
        } else if (what.equals("Unclosed character class")) {
            what = "missing terminating ] for character class";
            at = re.length();
        } else if (what.equals("Unmatched closing ')'")) {
            what = "unmatched closing parenthesis";
            at = unmatchedClose(re);
        } else if (what.startsWith("Dangling meta character")) {
            what = "quantifier does not follow a repeatable item";
        } else if (what.equals("Illegal character range")) {
            what = "range out of order in character class";
        } else if (what.equals("Unknown inline modifier")) {
            what = "unrecognized character after (? or (?-";
        } else if (what.startsWith("capturing group name does not start with")) {
            what = "subpattern name must start with a non-digit";
        } else if (what.startsWith("named capturing group <") && what.endsWith("> does not exist")) {
            String name = what.substring("named capturing group <".length(), what.length() - "> does not exist".length());
            what = "reference to non-existent subpattern";
            int ref = re.indexOf("<" + name + ">");
            at = ref < 0 ? -1 : ref + 1;
        } else if (!what.equals(PCRE_DUPNAMES)) {
            // other messages are Java's, and so may be the place they name
            at = -1;
        }
        StringBuilder b = new StringBuilder("pcre2_compile() failed: ").append(what).append(" in \"").append(re).append('"');
        if (at >= 0 && at < re.length()) {
            b.append(" at \"").append(re, at, re.length()).append('"');
        }
        return b.toString();
    }

    /** Where the first ")" without its "(" is, escapes and character classes skipped. */
    private static int unmatchedClose(String re) {
        int depth = 0;
        boolean inClass = false;
        for (int i = 0; i < re.length(); i++) {
            char c = re.charAt(i);
            if (c == '\\') {
                i++;
            } else if (inClass) {
                inClass = c != ']';
            } else if (c == '[') {
                inClass = true;
            } else if (c == '(') {
                depth++;
            } else if (c == ')' && depth-- == 0) {
                return i;
            }
        }
        return -1;
    }
}
