package dev.portico.http;

import dev.portico.variables.BuiltinVariables;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What the modules contribute to request processing, gathered once from the module list in its
 * order: phase handler factories (compiled into each location's handler arrays), the response
 * head and trailer filter chains, the log phase, the {@code error_page} handler and the built-in
 * variables. Immutable; every snapshot built with it holds it.
 */
public final class RequestPipeline {
    /** Edits the end of a response body, e.g. to add trailer fields ({@code add_trailer}). */
    @FunctionalInterface
    public interface TrailerFilter {
        /** Returns the last content to send: {@code last} itself or a replacement (then {@code last} is released). */
        LastHttpContent filter(Exchange ex, LastHttpContent last);
    }

    /** nginx's log phase: called once per finished exchange (response sent or connection lost), on its event loop. */
    @FunctionalInterface
    public interface EndListener {
        void onEnd(Exchange ex);
    }

    /** Where {@code error_page} plugs in: returns true when it took over the response. */
    @FunctionalInterface
    public interface ErrorPageHandler {
        boolean handle(Exchange ex, int status);
    }

    private final Map<Phase, List<PhaseHandler.Factory>> factories;
    private final ResponseHeaderFilter[] headerFilters;
    private final TrailerFilter[] trailerFilters;
    private final EndListener[] endListeners;
    private final ErrorPageHandler errorPages;
    private final BuiltinVariables variables;
    private final ConnectionSecurity.Factory security;

    private RequestPipeline(Builder b) {
        Map<Phase, List<PhaseHandler.Factory>> f = new EnumMap<>(Phase.class);
        b.factories.forEach((k, v) -> f.put(k, List.copyOf(v)));
        this.factories = f;
        this.headerFilters = b.headerFilters.toArray(new ResponseHeaderFilter[0]);
        this.trailerFilters = b.trailerFilters.toArray(new TrailerFilter[0]);
        this.endListeners = b.endListeners.toArray(new EndListener[0]);
        this.errorPages = b.errorPages;
        this.variables = b.variables.build();
        this.security = b.security;
    }

    /** The pipeline of the given modules, in their order. */
    public static RequestPipeline of(List<? extends dev.portico.core.Module> modules) {
        Builder b = new Builder();
        for (dev.portico.core.Module m : modules) {
            if (m instanceof PipelineModule p) {
                p.contribute(b);
            }
        }
        return new RequestPipeline(b);
    }

    public BuiltinVariables variables() {
        return variables;
    }

    /** The TLS side of a configuration; without a TLS module, an {@code ssl} address is refused. */
    ConnectionSecurity security(List<VirtualServer> servers, dev.portico.core.BuildContext build)
        throws dev.portico.config.ConfigException {
        if (security != null) {
            return security.create(servers, build);
        }
        for (VirtualServer vs : servers) {
            for (ListenSpec l : vs.listens()) {
                if (l.ssl()) {
                    throw new dev.portico.config.ConfigException("the \"ssl\" parameter requires ngx_http_ssl_module", l.file(), l.line());
                }
            }
        }
        return null;
    }

    List<PhaseHandler.Factory> factories(Phase phase) {
        return factories.getOrDefault(phase, List.of());
    }

    void filterHead(Exchange ex, HttpResponse head) {
        for (ResponseHeaderFilter f : headerFilters) {
            f.filter(ex, head);
        }
    }

    LastHttpContent filterTrailers(Exchange ex, LastHttpContent last) {
        for (TrailerFilter f : trailerFilters) {
            last = f.filter(ex, last);
        }
        return last;
    }

    void fireEnd(Exchange ex) {
        for (EndListener l : endListeners) {
            try {
                l.onEnd(ex);
            } catch (RuntimeException e) {
                dev.portico.observability.ErrorLog.alert("log phase failed: " + e);
            }
        }
    }

    boolean tryErrorPage(Exchange ex, int status) {
        return errorPages.handle(ex, status);
    }

    /** Where modules add what they contribute. */
    public static final class Builder {
        private final Map<Phase, List<PhaseHandler.Factory>> factories = new EnumMap<>(Phase.class);
        private final List<ResponseHeaderFilter> headerFilters = new ArrayList<>();
        private final List<TrailerFilter> trailerFilters = new ArrayList<>();
        private final List<EndListener> endListeners = new ArrayList<>();
        private ErrorPageHandler errorPages = (ex, status) -> false;
        private final BuiltinVariables.Builder variables = BuiltinVariables.builder();
        private ConnectionSecurity.Factory security;

        private Builder() {
        }

        /** The module that terminates TLS on {@code listen ... ssl} addresses (one per build). */
        public Builder connectionSecurity(ConnectionSecurity.Factory f) {
            security = f;
            return this;
        }

        /** A handler for one of {@link Phase#HANDLED}, built per location. */
        public Builder handler(Phase phase, PhaseHandler.Factory f) {
            if (!java.util.Arrays.asList(Phase.HANDLED).contains(phase)) {
                throw new IllegalArgumentException("modules add no handlers to the " + phase + " phase");
            }
            factories.computeIfAbsent(phase, k -> new ArrayList<>()).add(f);
            return this;
        }

        /** A step of the response head filter chain (runs in module order, before the head is written). */
        public Builder headerFilter(ResponseHeaderFilter f) {
            headerFilters.add(f);
            return this;
        }

        public Builder trailerFilter(TrailerFilter f) {
            trailerFilters.add(f);
            return this;
        }

        public Builder onEnd(EndListener l) {
            endListeners.add(l);
            return this;
        }

        public Builder errorPages(ErrorPageHandler h) {
            errorPages = h;
            return this;
        }

        public BuiltinVariables.Builder variables() {
            return variables;
        }
    }
}
