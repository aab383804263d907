package dev.portico.config.directive;

import dev.portico.config.ConfNode;
import dev.portico.config.ConfigException;

/** Turns one argument into a typed value, or an nginx-worded error located at the node. */
@FunctionalInterface
public interface ValueParser<T> {
    T parse(ConfNode node, String arg) throws ConfigException;
}
