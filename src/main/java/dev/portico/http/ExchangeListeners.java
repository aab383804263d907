package dev.portico.http;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * nginx's log phase: listeners called once per finished exchange (response sent or connection
 * lost), on the event loop. Registered once by the packages that need it (access log, metrics).
 */
public final class ExchangeListeners {
    /** Called when an exchange ends; must not block. */
    @FunctionalInterface
    public interface Listener {
        void onEnd(Exchange ex);
    }

    private static final List<Listener> LISTENERS = new CopyOnWriteArrayList<>();
    private static final List<ResponseHeaderFilter> HEADER_FILTERS = new CopyOnWriteArrayList<>();
    private static final List<TrailerFilter> TRAILER_FILTERS = new CopyOnWriteArrayList<>();

    /** Edits the end of a response body, e.g. to add trailer fields ({@code add_trailer}). */
    @FunctionalInterface
    public interface TrailerFilter {
        /** Returns the last content to send: {@code last} itself or a replacement (then {@code last} is released). */
        io.netty.handler.codec.http.LastHttpContent filter(Exchange ex, io.netty.handler.codec.http.LastHttpContent last);
    }

    private ExchangeListeners() {
    }

    public static void onEnd(Listener l) {
        LISTENERS.add(l);
    }

    public static void headerFilter(ResponseHeaderFilter f) {
        HEADER_FILTERS.add(f);
    }

    public static void trailerFilter(TrailerFilter f) {
        TRAILER_FILTERS.add(f);
    }

    static io.netty.handler.codec.http.LastHttpContent filterTrailers(Exchange ex, io.netty.handler.codec.http.LastHttpContent last) {
        for (TrailerFilter f : TRAILER_FILTERS) {
            last = f.filter(ex, last);
        }
        return last;
    }

    static void fireEnd(Exchange ex) {
        for (Listener l : LISTENERS) {
            try {
                l.onEnd(ex);
            } catch (RuntimeException e) {
                dev.portico.observability.ErrorLog.alert("log phase failed: " + e);
            }
        }
    }

    static void filterHead(Exchange ex, io.netty.handler.codec.http.HttpResponse head) {
        for (ResponseHeaderFilter f : HEADER_FILTERS) {
            f.filter(ex, head);
        }
    }
}
