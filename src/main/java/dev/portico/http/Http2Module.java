package dev.portico.http;

import static dev.portico.config.directive.Context.HTTP;
import static dev.portico.config.directive.Context.LOCATION;
import static dev.portico.config.directive.Context.SERVER;

import dev.portico.config.ConfNode;
import dev.portico.config.directive.Arity;
import dev.portico.config.directive.Context;
import dev.portico.config.directive.Directive;
import dev.portico.config.directive.Settings;
import dev.portico.config.directive.Slot;
import dev.portico.config.directive.Values;
import dev.portico.observability.ErrorLog;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * ngx_http_v2_module: HTTP/2 to clients, negotiated by ALPN on TLS addresses and recognised by
 * its connection preface on plain ones ({@link Http2Upgrade}). The directives nginx made
 * obsolete are accepted with nginx's warning, as nginx does; the connection-level values come
 * from the server that owns the connection (the one SNI chose, else the address's default).
 */
public final class Http2Module implements PipelineModule {
    /** nginx's NGX_HTTP_V2_MAX_WINDOW and NGX_HTTP_V2_MAX_FRAME_SIZE. */
    static final long MAX_WINDOW = (1L << 31) - 1;
    static final long MAX_FRAME_SIZE = (1L << 24) - 1;

    public static final Slot<Boolean> HTTP2 = Slot.of("http2", false);
    static final Slot<Long> BODY_PREREAD_SIZE = Slot.of("http2_body_preread_size", 64L * 1024);
    static final Slot<Long> CHUNK_SIZE = Slot.of("http2_chunk_size", 8L * 1024);
    static final Slot<Integer> MAX_CONCURRENT_STREAMS = Slot.of("http2_max_concurrent_streams", 128);
    static final Slot<Long> RECV_BUFFER_SIZE = Slot.of("http2_recv_buffer_size", 256L * 1024);

    public Http2Module() {
    }

    /** True when a server (or the http block) has {@code http2 on}. */
    public static boolean enabled(Settings s) {
        return s.get(HTTP2);
    }

    @Override
    public void contribute(RequestPipeline.Builder pipeline) {
        // "h2" over TLS, "h2c" in clear, empty for HTTP/1.x (ngx_http_v2_variable)
        pipeline.variables().builtin("http2", ex -> !(ex.clientSide() instanceof Http2Stream) ? ""
            : ex.connection().isSecure() ? "h2" : "h2c");
    }

    @Override
    public List<Directive> directives() {
        Set<Context> hs = EnumSet.of(HTTP, SERVER);
        return List.of(
            Directive.flag("http2", hs, HTTP2),
            Directive.simple("http2_body_preread_size", hs, Arity.TAKE1, (level, node) -> {
                long v = Values.size(node, node.arg(0));
                if (v > MAX_WINDOW) {
                    throw node.error("the maximum body preread buffer size is " + MAX_WINDOW);
                }
                level.set(BODY_PREREAD_SIZE, v, node);
            }),
            Directive.simple("http2_chunk_size", EnumSet.of(HTTP, SERVER, LOCATION), Arity.TAKE1, (level, node) -> {
                long v = Values.size(node, node.arg(0));
                if (v == 0) {
                    throw node.error("the http2 chunk size cannot be zero");
                }
                level.set(CHUNK_SIZE, Math.min(v, MAX_FRAME_SIZE), node);
            }),
            Directive.value("http2_max_concurrent_streams", hs, MAX_CONCURRENT_STREAMS, Values::number),
            Directive.simple("http2_recv_buffer_size", EnumSet.of(HTTP), Arity.TAKE1, (level, node) -> {
                long v = Values.size(node, node.arg(0));
                if (v <= 16) {
                    // NGX_HTTP_V2_STATE_BUFFER_SIZE
                    throw node.error("value is too small");
                }
                level.set(RECV_BUFFER_SIZE, v, node);
            }),
            obsolete("http2_recv_timeout", hs, "client_header_timeout"),
            obsolete("http2_idle_timeout", hs, "keepalive_timeout"),
            obsolete("http2_max_requests", hs, "keepalive_requests"),
            obsolete("http2_max_field_size", hs, "large_client_header_buffers"),
            obsolete("http2_max_header_size", hs, "large_client_header_buffers"),
            obsolete("http2_max_concurrent_pushes", hs, null),
            obsolete("http2_push", EnumSet.of(HTTP, SERVER, LOCATION), null),
            obsolete("http2_push_preload", EnumSet.of(HTTP, SERVER, LOCATION), null));
    }

    /** ngx_http_v2_obsolete: accepted with a warning, and nothing else. */
    private static Directive obsolete(String name, Set<Context> contexts, String instead) {
        return Directive.simple(name, contexts, Arity.TAKE1, (level, node) -> warnObsolete(node, instead));
    }

    private static void warnObsolete(ConfNode node, String instead) {
        String what = instead == null ? "the \"" + node.name() + "\" directive is obsolete, ignored"
            : "the \"" + node.name() + "\" directive is obsolete, use the \"" + instead + "\" directive instead";
        ErrorLog.warn(what + " in " + node.file() + ":" + node.line());
    }
}
