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
    /** ngx_http_script_compile's message (no argument) for "$" with no name after it. */
    private static final String INVALID_NAME = "invalid variable name";

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

    /**
     * Compiles the text as nginx's script compiler does: {@code $1..$9} are captures, a name runs
     * over ASCII letters, digits and "_", {@code ${name}} may be followed by any text. A text
     * without "$" is a constant; with one, a bare or trailing "$" is an error.
     */
    public static Template compile(String text, Variables variables) throws ConfigException {
        List<String> lits = new ArrayList<>();
        List<Variable> vs = new ArrayList<>();
        List<String> names = new ArrayList<>();
        StringBuilder lit = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c != '$') {
                lit.append(c);
                i++;
                continue;
            }
            if (++i == text.length()) {
                throw new ConfigException(INVALID_NAME);
            }
            String name;
            char first = text.charAt(i);
            if (first >= '1' && first <= '9') {
                // nginx: $1..$9 are single digits, so "$10" is capture 1 then "0"
                name = String.valueOf(first);
                i++;
            } else {
                boolean bracket = first == '{';
                if (bracket && ++i == text.length()) {
                    throw new ConfigException(INVALID_NAME);
                }
                int start = i;
                while (i < text.length() && isNameChar(text.charAt(i))) {
                    i++;
                }
                name = text.substring(start, i);
                if (bracket) {
                    if (i == text.length() || text.charAt(i) != '}') {
                        throw new ConfigException("the closing bracket in \"" + name + "\" variable is missing");
                    }
                    i++;
                }
                if (name.isEmpty()) {
                    throw new ConfigException(INVALID_NAME);
                }
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

    /** nginx's variable name characters: ASCII only, so "$hosté" is $host followed by "é". */
    static boolean isNameChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
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
