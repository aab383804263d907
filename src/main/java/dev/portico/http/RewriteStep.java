package dev.portico.http;

/**
 * One statement of nginx's rewrite module ({@code rewrite}, {@code set}, {@code if},
 * {@code return}, {@code break}), run in order in the server-rewrite or rewrite phase.
 */
@FunctionalInterface
public interface RewriteStep {
    enum Flow {
        /** Go on with the next statement. */
        NEXT,
        /** Stop the rewrite statements, stay in this location ({@code break}, {@code rewrite ... break}). */
        BREAK,
        /** The URI changed: search the location again ({@code rewrite ... last}). */
        RESTART,
        /** A response was sent or an internal redirect started: stop processing here. */
        DONE
    }

    Flow run(Exchange ex);
}
