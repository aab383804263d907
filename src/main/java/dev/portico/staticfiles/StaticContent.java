package dev.portico.staticfiles;

import dev.portico.http.ContentHandler;
import dev.portico.http.Exchange;

/** The default content handler: files under {@code root}. */
public final class StaticContent {
    private StaticContent() {
    }

    public static ContentHandler handler() {
        return StaticContent::serve;
    }

    private static void serve(Exchange ex) {
        ex.sendError(404);
    }
}
