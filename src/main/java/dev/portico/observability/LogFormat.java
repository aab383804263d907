package dev.portico.observability;

import dev.portico.config.ConfigException;
import dev.portico.http.Exchange;
import dev.portico.variables.Variable;
import dev.portico.variables.Variables;
import java.util.ArrayList;
import java.util.List;

/**
 * A compiled {@code log_format}: literal byte runs and variables, each variable written with the
 * format's escaping. Compiled once when the configuration loads, rendered once per logged
 * request on the event loop.
 */
final class LogFormat {
    /** nginx's predefined format, which {@code log_format} can not redefine. */
    static final String COMBINED_NAME = "combined";
    static final String COMBINED =
        "$remote_addr - $remote_user [$time_local] \"$request\" $status $body_bytes_sent \"$http_referer\" \"$http_user_agent\"";

    private final String name;
    private final LogEscape escape;
    /** literals[i] comes before vars[i]; one more literal than variables. */
    private final byte[][] literals;
    private final Variable[] vars;
    private final int sizeHint;

    private LogFormat(String name, LogEscape escape, byte[][] literals, Variable[] vars) {
        this.name = name;
        this.escape = escape;
        this.literals = literals;
        this.vars = vars;
        int n = 1 + vars.length * 16;
        for (byte[] l : literals) {
            n += l.length;
        }
        this.sizeHint = n;
    }

    String name() {
        return name;
    }

    LogEscape escape() {
        return escape;
    }

    /**
     * Compiles the strings of a {@code log_format} (concatenated) as ngx_http_log_compile_format
     * reads them: {@code $name} is letters, digits and "_"; {@code ${name}} may touch other text.
     */
    static LogFormat compile(String name, LogEscape escape, List<String> strings, Variables variables) throws ConfigException {
        List<byte[]> lits = new ArrayList<>();
        List<Variable> vs = new ArrayList<>();
        StringBuilder lit = new StringBuilder();
        for (String s : strings) {
            int i = 0;
            while (i < s.length()) {
                if (s.charAt(i) != '$') {
                    lit.append(s.charAt(i++));
                    continue;
                }
                int dollar = i;
                if (++i == s.length()) {
                    throw invalid(s, dollar);
                }
                boolean bracket = s.charAt(i) == '{';
                if (bracket && ++i == s.length()) {
                    throw invalid(s, dollar);
                }
                int start = i;
                int end = i;
                while (i < s.length()) {
                    char c = s.charAt(i);
                    if (c == '}' && bracket) {
                        end = i++;
                        bracket = false;
                        break;
                    }
                    if (!isNameChar(c)) {
                        break;
                    }
                    end = ++i;
                }
                if (bracket) {
                    throw new ConfigException("the closing bracket in \"" + s.substring(start, end) + "\" variable is missing");
                }
                if (end == start) {
                    throw invalid(s, dollar);
                }
                lits.add(dev.portico.bytes.ByteStrings.bytes(lit.toString()));
                lit.setLength(0);
                String var = s.substring(start, end);
                vs.add(variables.resolve(var));
            }
        }
        lits.add(dev.portico.bytes.ByteStrings.bytes(lit.toString()));
        return new LogFormat(name, escape, lits.toArray(new byte[0][]), vs.toArray(new Variable[0]));
    }

    private static ConfigException invalid(String s, int from) {
        return new ConfigException("invalid parameter \"" + s.substring(from) + "\"");
    }

    private static boolean isNameChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_';
    }

    /** The line for one request, with its final newline. */
    byte[] render(Exchange ex) {
        LineBuilder out = new LineBuilder(sizeHint);
        for (int i = 0; i < vars.length; i++) {
            out.append(literals[i]);
            escape.append(vars[i].get(ex), out);
        }
        out.append(literals[vars.length]);
        out.append('\n');
        return out.toByteArray();
    }
}
