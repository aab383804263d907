package dev.portico.observability;

import dev.portico.config.ConfNode;
import dev.portico.config.ConfigException;

/** {@code error_log file|stderr [level]}: where error messages go and from which level. */
public record ErrorLogSpec(String target, LogLevel level) {

    public static ErrorLogSpec parse(ConfNode node) throws ConfigException {
        if (node.argCount() > 2) {
            throw node.error("invalid number of arguments in \"error_log\" directive");
        }
        String target = node.arg(0);
        for (String scheme : UNSUPPORTED) {
            if (target.startsWith(scheme)) {
                throw node.error(unsupported(scheme, node.name()));
            }
        }
        LogLevel level = LogLevel.ERROR;
        if (node.argCount() == 2) {
            level = LogLevel.parse(node.arg(1));
            if (level == null) {
                throw node.error("invalid log level \"" + node.arg(1) + "\"");
            }
        }
        return new ErrorLogSpec(target, level);
    }

    /** Log targets nginx knows that Portico does not write to (documented in docs/directives.md). */
    private static final String[] UNSUPPORTED = {"syslog:", "memory:"};

    /** The message for a log target Portico cannot write to. */
    static String unsupported(String scheme, String directive) {
        return "\"" + scheme + "\" logging is not supported in \"" + directive + "\" directive";
    }

    public boolean isStderr() {
        return target.equals("stderr");
    }
}
