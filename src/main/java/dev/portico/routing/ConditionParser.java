package dev.portico.routing;

import dev.portico.config.ConfNode;
import dev.portico.config.ConfigException;
import dev.portico.variables.Template;
import dev.portico.variables.Variables;
import java.util.List;

/**
 * Reads {@code if (...)} the way nginx's ngx_http_rewrite_if_condition does. The lexer leaves
 * the parentheses glued to the words ({@code ($a}, {@code =}, {@code "b")} or a lone
 * {@code )}), so they are peeled off the first and last word before the operator is read.
 */
final class ConditionParser {
    private ConditionParser() {
    }

    static Condition parse(ConfNode node, Variables variables) throws ConfigException {
        List<String> args = node.args();
        String[] w = args.toArray(new String[0]);
        int last = w.length - 1;
        if (w[0].isEmpty() || w[0].charAt(0) != '(') {
            throw invalid(node, w[0]);
        }
        int cur;
        if (w[0].length() == 1) {
            cur = 1;
        } else {
            cur = 0;
            w[0] = w[0].substring(1);
        }
        if (w[last].isEmpty() || w[last].charAt(w[last].length() - 1) != ')') {
            throw invalid(node, w[last]);
        }
        if (w[last].length() == 1) {
            last--;
        } else {
            w[last] = w[last].substring(0, w[last].length() - 1);
        }
        if (cur >= w.length) {
            throw invalid(node, ")");
        }
        String tok = w[cur];
        if (tok.length() > 1 && tok.charAt(0) == '$') {
            if (cur != last && cur + 2 != last) {
                throw invalid(node, tok);
            }
            if (cur == last) {
                return new Condition.Truth(variables.resolve(tok.substring(1)));
            }
            String op = w[cur + 1];
            String operand = w[last];
            if (!List.of("=", "!=", "~", "~*", "!~", "!~*").contains(op)) {
                // nginx reads the condition before it looks its variables up
                throw node.error("unexpected \"" + op + "\" in condition");
            }
            var variable = variables.resolve(tok.substring(1));
            switch (op) {
                case "=", "!=" -> {
                    return new Condition.Comparison(variable, Template.compile(operand, variables), op.equals("!="));
                }
                case "~", "~*", "!~", "!~*" -> {
                    return new Condition.RegexTest(variable, RegexCompiler.compile(node, operand, op.endsWith("*")), operand,
                        op.startsWith("!"));
                }
                default -> throw node.error("unexpected \"" + op + "\" in condition");
            }
        }
        boolean fileOp = tok.length() == 2 && tok.charAt(0) == '-' || tok.length() == 3 && tok.startsWith("!-");
        if (fileOp) {
            if (cur + 1 != last) {
                throw invalid(node, tok);
            }
            char op = tok.charAt(tok.length() - 1);
            if ("fdex".indexOf(op) < 0) {
                throw invalid(node, tok);
            }
            return new Condition.FileTest(Template.compile(w[last], variables), op, tok.charAt(0) == '!');
        }
        throw invalid(node, tok);
    }

    private static ConfigException invalid(ConfNode node, String word) {
        return node.error("invalid condition \"" + word + "\"");
    }
}
