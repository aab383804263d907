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
        return new ErrorLogSpec(node.arg(0), level);
    }

    public boolean isStderr() {
        return target.equals("stderr");
    }
}
