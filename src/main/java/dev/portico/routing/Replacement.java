package dev.portico.routing;

import dev.portico.config.ConfigException;
import dev.portico.http.Exchange;
import dev.portico.http.UriEscape;
import dev.portico.variables.Variable;
import dev.portico.variables.Variables;
import java.util.ArrayList;
import java.util.List;

/**
 * The replacement of a {@code rewrite}, compiled once: literal text, regex captures {@code $1..$9}
 * and variables. For an internal rewrite the first literal "?" starts the new arguments; a
 * capture copied into the arguments (or into a redirect) is escaped when the request URI was
 * escaped itself, as nginx does, so that a decoded "&amp;" does not split an argument.
 */
final class Replacement {
    private enum Kind { LITERAL, CAPTURE, VARIABLE, ARGS_START }

    private record Part(Kind kind, String text, int n, Variable v) {
        static Part literal(String t) {
            return new Part(Kind.LITERAL, t, 0, null);
        }

        static Part capture(int n) {
            return new Part(Kind.CAPTURE, null, n, null);
        }

        static Part variable(Variable v) {
            return new Part(Kind.VARIABLE, null, 0, v);
        }
    }

    /** An internal rewrite's result: the new URI and the arguments written in the replacement (null when none). */
    record Result(String uri, String args) {
    }

    private final List<Part> parts;
    private final boolean hasQuestionMark;

    private Replacement(List<Part> parts, boolean hasQuestionMark) {
        this.parts = parts;
        this.hasQuestionMark = hasQuestionMark;
    }

    /** @param splitArgs true for an internal rewrite, where the first literal "?" starts the arguments */
    static Replacement compile(String text, Variables variables, boolean splitArgs) throws ConfigException {
        List<Part> parts = new ArrayList<>();
        StringBuilder lit = new StringBuilder();
        boolean question = false;
        boolean argsStarted = false;
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '?') {
                question = true;
                if (splitArgs && !argsStarted) {
                    flush(lit, parts);
                    parts.add(new Part(Kind.ARGS_START, null, 0, null));
                    argsStarted = true;
                    i++;
                    continue;
                }
            }
            if (c != '$') {
                lit.append(c);
                i++;
                continue;
            }
            if (++i == text.length()) {
                throw new ConfigException("invalid variable name in \"" + text + "\"");
            }
            char d = text.charAt(i);
            if (d >= '1' && d <= '9') {
                flush(lit, parts);
                parts.add(Part.capture(d - '0'));
                i++;
                continue;
            }
            boolean bracket = d == '{';
            if (bracket) {
                i++;
            }
            int start = i;
            while (i < text.length()) {
                char ch = text.charAt(i);
                if (ch == '}' && bracket) {
                    bracket = false;
                    break;
                }
                if (!(Character.isLetterOrDigit(ch) && ch < 0x80 || ch == '_')) {
                    break;
                }
                i++;
            }
            if (bracket) {
                throw new ConfigException("the closing bracket in \"" + text.substring(start) + "\" variable is missing");
            }
            String name = text.substring(start, i);
            if (i < text.length() && text.charAt(i) == '}' && d == '{') {
                i++;
            }
            if (name.isEmpty()) {
                throw new ConfigException("invalid variable name in \"" + text + "\"");
            }
            flush(lit, parts);
            parts.add(Part.variable(variables.resolve(name)));
        }
        flush(lit, parts);
        return new Replacement(List.copyOf(parts), question);
    }

    private static void flush(StringBuilder lit, List<Part> parts) {
        if (lit.length() > 0) {
            parts.add(Part.literal(lit.toString()));
            lit.setLength(0);
        }
    }

    /** True when the replacement has a "?", so original arguments are appended with "&amp;". */
    boolean hasQuestionMark() {
        return hasQuestionMark;
    }

    /** The new URI and arguments of an internal rewrite. */
    Result renderInternal(Exchange ex, boolean escapeCaptures) {
        StringBuilder uri = new StringBuilder(64);
        StringBuilder args = null;
        StringBuilder b = uri;
        for (Part p : parts) {
            switch (p.kind()) {
                case LITERAL -> b.append(p.text());
                case CAPTURE -> append(b, ex.capture(p.n()), b == args && escapeCaptures);
                case VARIABLE -> append(b, p.v().get(ex), false);
                case ARGS_START -> {
                    args = new StringBuilder();
                    b = args;
                }
            }
        }
        return new Result(uri.toString(), args == null ? null : args.toString());
    }

    /** The Location of a redirect, before the original arguments are added. */
    String renderRedirect(Exchange ex, boolean escapeCaptures) {
        StringBuilder b = new StringBuilder(96);
        for (Part p : parts) {
            switch (p.kind()) {
                case LITERAL -> b.append(p.text());
                case CAPTURE -> append(b, ex.capture(p.n()), escapeCaptures);
                case VARIABLE -> append(b, p.v().get(ex), false);
                case ARGS_START -> b.append('?');
            }
        }
        return UriEscapes.unescapeRedirect(b.toString());
    }

    private static void append(StringBuilder b, String value, boolean escape) {
        if (value != null) {
            b.append(escape ? UriEscape.escape(value, UriEscape.Mode.ARGS) : value);
        }
    }
}
