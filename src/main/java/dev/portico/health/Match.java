package dev.portico.health;

import dev.portico.config.ConfNode;
import dev.portico.config.ConfigException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A {@code match} block (NGINX Plus syntax): conditions a health check response must meet.
 * {@code status 200; status ! 500; status 200 204; status 200-399;},
 * {@code header Name; header ! Name; header Name = v; header Name != v; header Name ~ re; header Name !~ re;},
 * {@code body ~ re; body !~ re;}. Without a match block a check passes on any 2xx or 3xx status.
 */
final class Match {
    interface Test {
        boolean test(Probe.Response r);
    }

    /** The default test: 2xx or 3xx. */
    static final Match DEFAULT = new Match("", List.of(r -> r.status() >= 200 && r.status() < 400));

    final String name;
    private final List<Test> tests;

    private Match(String name, List<Test> tests) {
        this.name = name;
        this.tests = tests;
    }

    /** The first condition the response fails, or null when it passes. */
    String failed(Probe.Response r) {
        for (int i = 0; i < tests.size(); i++) {
            if (!tests.get(i).test(r)) {
                return name.isEmpty() ? "status code" : "condition " + (i + 1) + " of match \"" + name + "\"";
            }
        }
        return null;
    }

    static Match parse(ConfNode block) throws ConfigException {
        List<Test> tests = new ArrayList<>();
        for (ConfNode n : block.children()) {
            switch (n.name()) {
                case "status" -> tests.add(status(n));
                case "header" -> tests.add(header(n));
                case "body" -> tests.add(body(n));
                default -> throw n.error("unknown directive \"" + n.name() + "\"");
            }
        }
        return new Match(block.arg(0), List.copyOf(tests));
    }

    private static Test status(ConfNode n) throws ConfigException {
        List<String> a = new ArrayList<>(n.args());
        boolean not = !a.isEmpty() && a.get(0).equals("!");
        if (not) {
            a.remove(0);
        }
        if (a.isEmpty()) {
            throw n.error("invalid number of arguments in \"status\" directive");
        }
        List<int[]> ranges = new ArrayList<>();
        for (String v : a) {
            int dash = v.indexOf('-');
            try {
                int lo = Integer.parseInt(dash < 0 ? v : v.substring(0, dash));
                int hi = dash < 0 ? lo : Integer.parseInt(v.substring(dash + 1));
                if (lo < 100 || hi > 999 || lo > hi) {
                    throw new NumberFormatException();
                }
                ranges.add(new int[] {lo, hi});
            } catch (NumberFormatException e) {
                throw n.error("invalid status \"" + v + "\"");
            }
        }
        return r -> {
            boolean in = false;
            for (int[] range : ranges) {
                in |= r.status() >= range[0] && r.status() <= range[1];
            }
            return in != not;
        };
    }

    private static Test header(ConfNode n) throws ConfigException {
        List<String> a = n.args();
        if (a.size() == 1) {
            String name = a.get(0);
            return r -> r.header(name) != null;
        }
        if (a.size() == 2 && a.get(0).equals("!")) {
            String name = a.get(1);
            return r -> r.header(name) == null;
        }
        if (a.size() != 3) {
            throw n.error("invalid number of arguments in \"header\" directive");
        }
        String name = a.get(0);
        String v = a.get(2);
        return switch (a.get(1)) {
            case "=" -> r -> v.equals(r.header(name));
            case "!=" -> r -> r.header(name) != null && !v.equals(r.header(name));
            case "~", "~*" -> {
                Pattern p = regex(n, v, a.get(1).equals("~*"));
                yield r -> r.header(name) != null && p.matcher(r.header(name)).find();
            }
            case "!~", "!~*" -> {
                Pattern p = regex(n, v, a.get(1).equals("!~*"));
                yield r -> r.header(name) != null && !p.matcher(r.header(name)).find();
            }
            default -> throw n.error("invalid condition \"" + a.get(1) + "\"");
        };
    }

    private static Test body(ConfNode n) throws ConfigException {
        List<String> a = n.args();
        if (a.size() != 2) {
            throw n.error("invalid number of arguments in \"body\" directive");
        }
        boolean negate = a.get(0).startsWith("!");
        String op = negate ? a.get(0).substring(1) : a.get(0);
        if (!op.equals("~") && !op.equals("~*")) {
            throw n.error("invalid condition \"" + a.get(0) + "\"");
        }
        Pattern p = regex(n, a.get(1), op.equals("~*"));
        return r -> p.matcher(r.body()).find() != negate;
    }

    private static Pattern regex(ConfNode n, String re, boolean caseless) throws ConfigException {
        try {
            return Pattern.compile(re, caseless ? Pattern.CASE_INSENSITIVE : 0);
        } catch (PatternSyntaxException e) {
            throw n.error("invalid regex \"" + re + "\"");
        }
    }
}
