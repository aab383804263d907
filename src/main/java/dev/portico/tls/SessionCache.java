package dev.portico.tls;

import dev.portico.config.ConfNode;
import dev.portico.config.ConfigException;
import dev.portico.config.directive.Values;

/**
 * {@code ssl_session_cache off | none | [builtin[:size]] [shared:name:size]}. {@code none}
 * (nginx's default) stores nothing but lets tickets resume sessions; {@code off} refuses
 * resumption by session id outright. The sizes become one cache of as many sessions: builtin
 * counts sessions, shared counts bytes (about 4,000 sessions a megabyte, as nginx documents).
 */
record SessionCache(Mode mode, int sessions) {
    enum Mode { OFF, NONE, ON }

    static final SessionCache NONE = new SessionCache(Mode.NONE, 0);

    static SessionCache parse(ConfNode node) throws ConfigException {
        if (node.argCount() == 1 && node.arg(0).equals("off")) {
            return new SessionCache(Mode.OFF, 0);
        }
        if (node.argCount() == 1 && node.arg(0).equals("none")) {
            return NONE;
        }
        long sessions = 0;
        for (String a : node.args()) {
            if (a.equals("builtin")) {
                sessions += 20480;
            } else if (a.startsWith("builtin:")) {
                int n = Values.number(node, a.substring(8));
                if (n <= 0) {
                    throw node.error("invalid session cache \"" + a + "\"");
                }
                sessions += n;
            } else if (a.startsWith("shared:")) {
                int colon = a.indexOf(':', 7);
                if (colon < 0 || colon == 7) {
                    throw node.error("invalid session cache \"" + a + "\"");
                }
                long bytes = Values.parseSize(a.substring(colon + 1));
                if (bytes < 8 * 4096) {
                    throw node.error(bytes < 0 ? "invalid session cache \"" + a + "\"" : "session cache \"" + a + "\" is too small");
                }
                sessions += bytes * 4000 / (1024 * 1024);
            } else {
                throw node.error("invalid session cache \"" + a + "\"");
            }
        }
        return new SessionCache(Mode.ON, (int) Math.min(Integer.MAX_VALUE, sessions));
    }
}
