package dev.portico.security;

import dev.portico.config.ConfNode;
import dev.portico.config.ConfigException;
import dev.portico.config.directive.Values;
import dev.portico.observability.LogLevel;

/** The checks the limit modules share: {@code *_status} and {@code *_log_level} values, in nginx's words. */
final class Limits {
    private Limits() {
    }

    static int status(ConfNode node) throws ConfigException {
        int code = Values.number(node, node.arg(0));
        if (code < 400 || code > 599) {
            throw node.error("value must be between 400 and 599");
        }
        return code;
    }

    static LogLevel logLevel(ConfNode node) throws ConfigException {
        LogLevel l = LogLevel.parse(node.arg(0));
        if (l != LogLevel.INFO && l != LogLevel.NOTICE && l != LogLevel.WARN && l != LogLevel.ERROR) {
            throw node.error("invalid value \"" + node.arg(0) + "\"");
        }
        return l;
    }
}
