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

    private ExchangeListeners() {
    }

    public static void onEnd(Listener l) {
        LISTENERS.add(l);
    }

    public static void headerFilter(ResponseHeaderFilter f) {
        HEADER_FILTERS.add(f);
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
