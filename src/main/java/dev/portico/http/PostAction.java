package dev.portico.http;

import dev.portico.observability.ErrorLog;
import dev.portico.observability.LogLevel;

/**
 * nginx's ngx_http_post_action: once a request is over (its response sent, or its client gone),
 * the {@code post_action} of the location that answered continues it in a URI or a named
 * location, as a request of its own whose answer nobody receives; the access log line is written
 * when the action is over. The action's own location does not start another action.
 */
final class PostAction {
    private PostAction() {
    }

    /** Starts the action for {@code ex}, then {@code after}; false (and nothing started) when there is none. */
    static boolean start(Exchange ex, Runnable after) {
        if (ex.isSubrequest() || ex.location() == null || ex.status() == 101) {
            return false;
        }
        String action = ex.settings().get(HttpModule.POST_ACTION);
        if (action == null || action.isEmpty()) {
            return false;
        }
        if (action.startsWith("/")) {
            Subrequest.startDetached(ex, action, null, after);
            return true;
        }
        Location named = ex.server().namedLocation(action);
        if (named == null) {
            ErrorLog.get().log(LogLevel.ERROR, ex.connection().id(), "could not find named location \"" + ErrorLog.escape(action)
                + "\", client: " + ex.remoteHost() + ", server: " + ex.server().primaryName() + ", request: \""
                + ErrorLog.requestLine(ex) + "\"");
            return false;
        }
        Subrequest.startDetached(ex, null, named, after);
        return true;
    }
}
