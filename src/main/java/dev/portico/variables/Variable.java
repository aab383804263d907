package dev.portico.variables;

import dev.portico.http.Exchange;

/** A variable's value for one request; {@code null} means "not found" (an empty string in templates). */
@FunctionalInterface
public interface Variable {
    String get(Exchange ex);
}
