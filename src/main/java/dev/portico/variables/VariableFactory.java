package dev.portico.variables;

/** Makes variables for a family of names sharing a prefix, such as {@code $http_NAME}. */
@FunctionalInterface
public interface VariableFactory {
    /** @param suffix the part of the name after the prefix */
    Variable create(String suffix);
}
