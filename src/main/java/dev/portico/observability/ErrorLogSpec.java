package dev.portico.observability;

import dev.portico.config.ConfNode;
import dev.portico.config.ConfigException;

/** {@code error_log file|stderr [level]}: where error messages go and from which level. */
public record ErrorLogSpec(String target, LogLevel level) {

    public static ErrorLogSpec parse(ConfNode node) throws ConfigException {
        if (node.argCount() > 2) {
            throw node.error("invalid number of arguments in \"error_log\" directive");
        }
        LogLevel level = LogLevel.ERROR;
        if (node.argCount() == 2) {
            level = LogLevel.parse(node.arg(1));
            if (level == null) {
                throw node.error("invalid log level \"" + node.arg(1) + "\"");
            }
        }
        String target = node.arg(0);
        if (target.startsWith("syslog:") || target.startsWith("memory:")) {
            // nginx's other log targets; writing them to a file of that name would surprise
            throw node.error("\"" + target.substring(0, target.indexOf(':')) + "\" error log is not supported by Portico");
        }
        return new ErrorLogSpec(target, level);
    }

    public boolean isStderr() {
        return target.equals("stderr");
    }
}
