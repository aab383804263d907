package dev.portico.http;

import dev.portico.Version;
import dev.portico.config.directive.Settings;
import dev.portico.core.Snapshot;
import dev.portico.observability.ErrorLog;
import dev.portico.observability.LogLevel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One client connection's HTTP/1.x life: reads requests one at a time (auto-read is off, so the
 * next read happens only when this handler or a body consumer asks), runs each through the
 * phases, keeps pipelined requests in order, and enforces the connection timeouts.
 */
public final class HttpConnectionHandler extends ChannelInboundHandlerAdapter {
    private enum State { WAIT_REQUEST, IN_REQUEST, CLOSING }

    private final ServerRuntime runtime;
    private ListenerConf listener;
    private Settings defaults;
    /** The configuration {@link #listener} and {@link #defaults} come from. */
    private Snapshot bound;
    private ClientConnection connection;
    private ChannelHandlerContext ctx;
    private State state = State.WAIT_REQUEST;
    private Exchange current;
    private final ArrayDeque<HttpObject> queued = new ArrayDeque<>(2);
    private ScheduledFuture<?> timer;
    private long lastRead = System.nanoTime();
    private boolean partialRequest;
    /** Encoded response bytes handed towards the socket, and those whose write succeeded ($bytes_sent). */
    private long bytesWritten;
    private long bytesSent;

    /** A user event that asks an idle keep-alive connection to close (graceful stop). */
    public static final Object DRAIN = new Object();

    public HttpConnectionHandler(ServerRuntime runtime, ListenerConf listener, Settings defaults) {
        this.runtime = runtime;
        this.listener = listener;
        this.defaults = defaults;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        AddressConf address = listener.forLocal(ctx.channel().localAddress());
        connection = new ClientConnection(ctx.channel(), listener, address);
        // null (rebind at the first request) if a reload swapped the snapshot since the accept
        Snapshot now = runtime.snapshot();
        bound = now.http().listeners().get(listener.key()) == listener ? now : null;
        armHeaderTimer();
        ctx.read();
        ctx.fireChannelActive();
    }

    /** Raw bytes arrived (seen before the decoder): keeps the idle timers honest. */
    void bytesArrived() {
        lastRead = System.nanoTime();
        if (state == State.WAIT_REQUEST && current == null && !partialRequest) {
            partialRequest = true;
            armHeaderTimer();
        }
    }

    void bytesWritten(long n) {
        bytesWritten += n;
    }

    void bytesSent(long n) {
        bytesSent += n;
    }

    long bytesWritten() {
        return bytesWritten;
    }

    long bytesSent() {
        return bytesSent;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == DRAIN) {
            if (current == null && queued.isEmpty() && !partialRequest) {
                close();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (state == State.CLOSING) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (!(msg instanceof HttpObject obj)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (current != null || !queued.isEmpty()) {
            if (current != null && queued.isEmpty() && !current.bodyComplete() && msg instanceof HttpContent c) {
                if (c.decoderResult().isFailure()) {
                    c.release();
                    badBody(c.decoderResult());
                    return;
                }
                current.deliverBody(c);
                return;
            }
            queued.add(obj);
            return;
        }
        handle(obj);
    }

    private void handle(HttpObject obj) {
        if (obj instanceof HttpRequest req) {
            startRequest(req);
        } else {
            // stray content (the rest of a body we already answered and discarded)
            ReferenceCountUtil.release(obj);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.fireChannelReadComplete();
    }

    private void startRequest(HttpRequest req) {
        cancelTimer();
        Snapshot snap = runtime.snapshot();
        if (snap != bound && !rebind(snap)) {
            // the reload removed this connection's listener: as nginx's old workers, stop serving it
            ReferenceCountUtil.release(req);
            close();
            return;
        }
        state = State.IN_REQUEST;
        partialRequest = false;
        connection.countRequest();
        RequestHead head = RequestHead.parse(req, connection, defaults);
        boolean hasBody = HttpUtil.isTransferEncodingChunked(req) || HttpUtil.getContentLength(req, 0L) > 0
            || req.decoderResult().isFailure();
        Settings srv = head.server() != null ? head.server().settings() : defaults;
        boolean keepAlive = head.error() == 0 && HttpUtil.isKeepAlive(req) && srv.get(HttpModule.KEEPALIVE_TIMEOUT) > 0
            && connection.requests() < srv.get(HttpModule.KEEPALIVE_REQUESTS) && !runtime.draining();
        Exchange ex = new Exchange(snap, connection, this, ctx, req, head.rawTarget(), head.path(), head.args(), hasBody, keepAlive);
        current = ex;
        snap.usage().enter();
        ex.server(head.server() != null ? head.server() : connection.address().servers().defaultServer());
        ex.host(head.host());
        if (head.serverMatch() != null) {
            ex.captures(head.serverMatch());
        }
        if (hasBody && !req.decoderResult().isFailure()) {
            armTimer(ex.settings().get(HttpModule.CLIENT_BODY_TIMEOUT));
        }
        if (head.error() != 0) {
            ex.location(ex.server().root());
            ex.closeAfterResponse();
            if (ErrorLog.get().enabled(LogLevel.INFO)) {
                ErrorLog.get().log(LogLevel.INFO, connection.id(), head.reason() + ", client: " + connection.remoteHost());
            }
            ex.sendBuiltinPage(head.error(), null);
            return;
        }
        try {
            RequestProcessor.start(ex);
        } catch (RuntimeException e) {
            ErrorLog.get().log(LogLevel.ALERT, connection.id(), "request failed: " + e);
            if (!ex.responseStarted()) {
                ex.sendBuiltinPage(500, null);
            } else {
                ex.abort();
            }
        }
    }

    /**
     * A reload happened since this connection's last request: requests in flight kept their
     * snapshot, the next one on a keep-alive connection is served by the new configuration.
     */
    private boolean rebind(Snapshot snap) {
        ListenerConf l = snap.http().listeners().get(listener.key());
        if (l == null) {
            return false;
        }
        AddressConf address = l.forLocal(ctx.channel().localAddress());
        listener = l;
        defaults = address.servers().defaultServer().settings();
        connection.rebind(l, address);
        bound = snap;
        return true;
    }

    private void badBody(DecoderResult r) {
        Exchange ex = current;
        ErrorLog.get().log(LogLevel.INFO, connection.id(), "client sent invalid body: " + r.cause());
        ex.failBody(r.cause());
        if (!ex.responseStarted()) {
            ex.closeAfterResponse();
            ex.sendBuiltinPage(400, null);
        } else {
            ex.abort();
        }
    }

    /** Adds the headers every response from here carries; runs the header filters. */
    void finishHead(Exchange ex, HttpResponse head) {
        if (runtime.draining()) {
            // a graceful stop began while this request ran: tell the client not to reuse the connection
            ex.closeAfterResponse();
        }
        if (!head.headers().contains(HttpHeaderNames.SERVER)) {
            head.headers().set(HttpHeaderNames.SERVER, serverHeader(ex));
        }
        if (!head.headers().contains(HttpHeaderNames.DATE)) {
            head.headers().set(HttpHeaderNames.DATE, HttpDate.now());
        }
        if (ex.request().protocolVersion().equals(HttpVersion.HTTP_1_0)) {
            head.setProtocolVersion(HttpVersion.HTTP_1_0);
        } else {
            head.setProtocolVersion(HttpVersion.HTTP_1_1);
        }
        ExchangeListeners.filterHead(ex, head);
    }

    String serverHeader(Exchange ex) {
        Settings s = ex.location() != null ? ex.settings() : ex.server() != null ? ex.server().settings() : defaults;
        return s.get(HttpModule.SERVER_TOKENS).equals("off") ? "portico" : "portico/" + Version.PORTICO;
    }

    /** The response's last write completed (or failed). */
    void responseComplete(Exchange ex, boolean success) {
        if (ex != current) {
            return;
        }
        if (!success || !ex.keepAlive() || !ctx.channel().isActive()) {
            finishExchange(ex);
            close();
            return;
        }
        if (!ex.bodyComplete()) {
            if (ex.requestHeaders().contains(HttpHeaderNames.EXPECT)) {
                // the client may never send a body we did not ask for
                finishExchange(ex);
                close();
                return;
            }
            // read and drop the rest of the body before the next request, as nginx does
            ex.bodyHandler(c -> {
                c.release();
                if (c instanceof LastHttpContent) {
                    ctx.executor().execute(() -> nextRequest(ex));
                } else {
                    ctx.read();
                }
            });
            if (!ex.bodyComplete()) {
                ctx.read();
            }
            return;
        }
        nextRequest(ex);
    }

    private void nextRequest(Exchange ex) {
        if (current != ex) {
            return;
        }
        finishExchange(ex);
        state = State.WAIT_REQUEST;
        Settings srv = ex.server().settings();
        while (!queued.isEmpty() && current == null) {
            HttpObject next = queued.poll();
            if (next instanceof HttpRequest) {
                handle(next);
                // body pieces that came with it go to the new exchange
                while (current != null && !queued.isEmpty() && queued.peek() instanceof HttpContent c && !current.bodyComplete()) {
                    queued.poll();
                    current.deliverBody(c);
                }
                return;
            }
            ReferenceCountUtil.release(next);
        }
        if (current == null) {
            if (runtime.draining()) {
                close();
                return;
            }
            armTimer(srv.get(HttpModule.KEEPALIVE_TIMEOUT));
            ctx.read();
        }
    }

    private void finishExchange(Exchange ex) {
        if (current == ex) {
            current = null;
            ended(ex);
        }
    }

    private static void ended(Exchange ex) {
        try {
            ExchangeListeners.fireEnd(ex);
        } finally {
            ex.snapshot().usage().exit();
        }
    }

    void abort(Exchange ex) {
        close();
    }

    private void close() {
        if (state != State.CLOSING) {
            state = State.CLOSING;
            cancelTimer();
            releaseQueued();
            ctx.channel().close();
        }
    }

    private void releaseQueued() {
        HttpObject o;
        while ((o = queued.poll()) != null) {
            ReferenceCountUtil.release(o);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        state = State.CLOSING;
        cancelTimer();
        releaseQueued();
        Exchange ex = current;
        if (ex != null) {
            current = null;
            ex.markClosed();
            if (!ex.bodyComplete()) {
                ex.failBody(new java.nio.channels.ClosedChannelException());
            }
            ex.fireClientClosed();
            ended(ex);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        Exchange ex = current;
        if (ex != null) {
            ex.fireWritability(ctx.channel().isWritable());
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException) {
            ErrorLog.get().log(LogLevel.INFO, connection == null ? 0 : connection.id(), cause.getMessage());
        } else if (!(cause instanceof java.io.IOException)) {
            ErrorLog.get().log(LogLevel.ERROR, connection == null ? 0 : connection.id(), "connection error: " + cause);
        }
        ctx.close();
    }

    // ---- timers: one timer whose meaning depends on the state ----

    /** client_header_timeout: the whole head must arrive within it (no reset per read: slowloris). */
    private void armHeaderTimer() {
        cancelTimer();
        long t = defaults.get(HttpModule.CLIENT_HEADER_TIMEOUT);
        timer = ctx.executor().schedule(this::onHeaderTimeout, t, TimeUnit.MILLISECONDS);
    }

    private void onHeaderTimeout() {
        timer = null;
        if (state != State.WAIT_REQUEST || current != null) {
            return;
        }
        if (!partialRequest) {
            close();
            return;
        }
        ErrorLog.get().log(LogLevel.INFO, connection.id(),
            "client timed out (110: Connection timed out) while reading client request headers, client: " + connection.remoteHost());
        state = State.CLOSING;
        byte[] page = ErrorPages.page(408, "portico");
        io.netty.handler.codec.http.FullHttpResponse r = new io.netty.handler.codec.http.DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, io.netty.handler.codec.http.HttpResponseStatus.REQUEST_TIMEOUT,
            io.netty.buffer.Unpooled.wrappedBuffer(page));
        r.headers().set(HttpHeaderNames.SERVER, "portico").set(HttpHeaderNames.DATE, HttpDate.now())
            .set(HttpHeaderNames.CONTENT_TYPE, "text/html").set(HttpHeaderNames.CONTENT_LENGTH, page.length)
            .set(HttpHeaderNames.CONNECTION, "close");
        ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }

    /** An idle timer measured from the last bytes read (keepalive_timeout, client_body_timeout). */
    private void armTimer(long timeoutMillis) {
        cancelTimer();
        if (timeoutMillis <= 0) {
            return;
        }
        long deadline = lastRead + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        long delay = Math.max(1, deadline - System.nanoTime());
        timer = ctx.executor().schedule(() -> onTimer(timeoutMillis), delay, TimeUnit.NANOSECONDS);
    }

    private void onTimer(long timeoutMillis) {
        timer = null;
        if (state == State.CLOSING) {
            return;
        }
        long idle = System.nanoTime() - lastRead;
        if (idle < TimeUnit.MILLISECONDS.toNanos(timeoutMillis)) {
            armTimer(timeoutMillis);
            return;
        }
        Exchange ex = current;
        if (ex == null) {
            if (!partialRequest) {
                close();
            }
            return;
        }
        if (!ex.bodyComplete()) {
            ErrorLog.get().log(LogLevel.INFO, connection.id(), "client timed out (110: Connection timed out) while reading client request body");
            ex.failBody(new java.util.concurrent.TimeoutException("client_body_timeout"));
            if (!ex.responseStarted()) {
                ex.closeAfterResponse();
                ex.sendBuiltinPage(408, null);
                return;
            }
            ex.abort();
        }
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

}
