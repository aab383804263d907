package dev.portico.core;

import dev.portico.config.ConfigException;
import dev.portico.config.directive.Directive;
import java.util.List;

/**
 * One feature package as the composition root sees it: the directives it reads, the checks it
 * makes once a configuration is read, and what it does when a snapshot goes live, logs are
 * reopened or the server stops. Modules are plain objects in one ordered list; none registers
 * itself anywhere.
 */
public interface Module {
    /** The directives this module reads, one row each. */
    List<Directive> directives();

    /** Cross-directive checks and compilation, once every directive of a configuration is read. */
    default void afterBuild(BuildContext build) throws ConfigException {
    }

    /** {@code next} is about to serve (at start and after each reload); {@code previous} is null at start. */
    default void activate(Snapshot next, Snapshot previous, ServerState server) {
    }

    /** SIGUSR1 / {@code -s reopen}. */
    default void reopen(ServerState server) {
    }

    /** The server stopped: release what {@link #activate} started. */
    default void stopped(ServerState server) {
    }
}
