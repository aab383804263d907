package dev.portico.variables;

import dev.portico.config.ConfigException;
import dev.portico.http.Exchange;
import java.util.ArrayList;
import java.util.List;

/**
 * A string with {@code $name} and {@code ${name}} references, compiled once when the
 * configuration loads; rendering is a walk over literal parts and variable reads.
 */
public final class Template {
    private final String source;
    private final String[] literals;
    private final Variable[] vars;
    private final List<String> names;

    private Template(String source, String[] literals, Variable[] vars, List<String> names) {
        this.source = source;
        this.literals = literals;
        this.vars = vars;
        this.names = names;
    }

    public static Template compile(String text, Variables variables) throws ConfigException {
        List<String> lits = new ArrayList<>();
        List<Variable> vs = new ArrayList<>();
        List<String> names = new ArrayList<>();
        StringBuilder lit = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c != '$' || i + 1 >= text.length()) {
                lit.append(c);
                i++;
                continue;
            }
            String name;
            if (text.charAt(i + 1) == '{') {
                int close = text.indexOf('}', i + 2);
                if (close < 0) {
                    throw new ConfigException("the closing bracket in \"" + text.substring(i + 2) + "\" variable is missing");
                }
                name = text.substring(i + 2, close);
                i = close + 1;
            } else {
                int j = i + 1;
                if (Character.isDigit(text.charAt(j))) {
                    // nginx: $1..$9 are single digits
                    j++;
                } else {
                    while (j < text.length() && isNameChar(text.charAt(j))) {
                        j++;
                    }
                }
                name = text.substring(i + 1, j);
                if (name.isEmpty()) {
                    throw new ConfigException("invalid variable name in \"" + text + "\"");
                }
                i = j;
            }
            if (name.isEmpty()) {
                throw new ConfigException("invalid variable name in \"" + text + "\"");
            }
            lits.add(lit.toString());
            lit.setLength(0);
            vs.add(variables.resolve(name));
            names.add(name);
        }
        lits.add(lit.toString());
        return new Template(text, lits.toArray(new String[0]), vs.toArray(new Variable[0]), List.copyOf(names));
    }

    /** A template that is just the given text (no variables are read from it). */
    public static Template literal(String text) {
        return new Template(text, new String[] {text}, new Variable[0], List.of());
    }

    static boolean isNameChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }

    public boolean isConstant() {
        return vars.length == 0;
    }

    public String source() {
        return source;
    }

    /** The variable names referenced, in order. */
    public List<String> names() {
        return names;
    }

    public String render(Exchange ex) {
        if (vars.length == 0) {
            return literals[0];
        }
        StringBuilder b = new StringBuilder(source.length() + 32);
        for (int i = 0; i < vars.length; i++) {
            b.append(literals[i]);
            String v = vars[i].get(ex);
            if (v != null) {
                b.append(v);
            }
        }
        b.append(literals[vars.length]);
        return b.toString();
    }

    @Override
    public String toString() {
        return source;
    }
}
