package dev.portico.http;

import dev.portico.config.ConfigException;
import dev.portico.config.directive.Settings;
import dev.portico.core.BuildContext;

/**
 * One module's step in one phase of a location, nginx's phase handler. It answers with one of
 * the codes below or an HTTP status: in the access phase 401 and 403 are denials that
 * {@code satisfy any} may overrule; elsewhere a status answers the request with that error.
 */
@FunctionalInterface
public interface PhaseHandler {
    /** Not for this request (or allowed, outside the access phase): the next handler runs. */
    int DECLINED = -5;
    /** Done with this phase's check; in the access phase, access granted. */
    int OK = 0;
    /** The handler answered the request (or redirected it); nothing more runs. */
    int DONE = -4;
    /**
     * The handler keeps the request (a delay, a subrequest, a lock) and later calls
     * {@link RequestProcessor#resume} with its final code.
     */
    int AGAIN = -2;

    int handle(Exchange ex);

    /** Builds a location's handler at configuration load; null where the module's directives are absent. */
    @FunctionalInterface
    interface Factory {
        PhaseHandler create(Settings location, BuildContext build) throws ConfigException;
    }
}
