package dev.portico.health;

import dev.portico.config.ConfNode;
import dev.portico.config.ConfigException;
import dev.portico.config.directive.Values;

/** One {@code health_check} line with its parameters (NGINX Plus defaults: 5s, 1 fail, 1 pass, uri /). */
record CheckSpec(long intervalMillis, long jitterMillis, int fails, int passes, String uri, int port, String matchName,
                 boolean mandatory, boolean persistent, ConfNode node) {

    static CheckSpec parse(ConfNode node) throws ConfigException {
        long interval = 5000;
        long jitter = 0;
        int fails = 1;
        int passes = 1;
        String uri = "/";
        int port = 0;
        String match = null;
        boolean mandatory = false;
        boolean persistent = false;
        for (String a : node.args()) {
            int eq = a.indexOf('=');
            String key = eq < 0 ? a : a.substring(0, eq);
            String v = eq < 0 ? "" : a.substring(eq + 1);
            switch (eq < 0 ? a : key + "=") {
                case "interval=" -> interval = time(node, a, v, 1);
                case "jitter=" -> jitter = time(node, a, v, 0);
                case "fails=" -> fails = number(node, a, v, 1);
                case "passes=" -> passes = number(node, a, v, 1);
                case "port=" -> port = number(node, a, v, 1);
                case "uri=" -> {
                    if (v.isEmpty()) {
                        throw invalid(node, a);
                    }
                    uri = v;
                }
                case "match=" -> match = v;
                case "mandatory" -> mandatory = true;
                case "persistent" -> persistent = true;
                default -> throw invalid(node, a);
            }
        }
        if (persistent && !mandatory) {
            throw node.error("\"persistent\" requires \"mandatory\"");
        }
        if (port > 65535) {
            throw invalid(node, "port=" + port);
        }
        return new CheckSpec(interval, jitter, fails, passes, uri, port, match, mandatory, persistent, node);
    }

    private static long time(ConfNode node, String a, String v, long min) throws ConfigException {
        long t = Values.parseTime(v, true);
        if (t < min) {
            throw invalid(node, a);
        }
        return t;
    }

    private static int number(ConfNode node, String a, String v, int min) throws ConfigException {
        try {
            int n = Integer.parseInt(v);
            if (n < min) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw invalid(node, a);
        }
    }

    private static ConfigException invalid(ConfNode node, String a) {
        return node.error("invalid parameter \"" + a + "\"");
    }
}
