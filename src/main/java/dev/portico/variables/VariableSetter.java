package dev.portico.variables;

import dev.portico.http.Exchange;

/** Gives a built-in variable a value for one request ({@code set $args ...}, {@code set $limit_rate ...}). */
@FunctionalInterface
public interface VariableSetter {
    void set(Exchange ex, String value);
}
