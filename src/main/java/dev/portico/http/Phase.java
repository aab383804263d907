package dev.portico.http;

/**
 * nginx's request phases, in the order a request goes through them. Post-read, server rewrite,
 * find-config, rewrite and post-rewrite are run by {@link RequestProcessor} itself (the rewrite
 * module's statements, the location search and its loop); modules contribute handlers to the
 * others, and each location holds, per phase, the handlers that apply there.
 */
public enum Phase {
    POST_READ,
    SERVER_REWRITE,
    FIND_CONFIG,
    REWRITE,
    POST_REWRITE,
    PREACCESS,
    ACCESS,
    POST_ACCESS,
    PRECONTENT,
    CONTENT,
    LOG;

    /**
     * The phases modules add handlers to. Post-read handlers are built with the server's settings
     * (its root pseudo-location) and run before the server's rewrite statements; the others are
     * each location's, run in turn after the location is found.
     */
    static final Phase[] HANDLED = {POST_READ, PREACCESS, ACCESS, PRECONTENT};
}
