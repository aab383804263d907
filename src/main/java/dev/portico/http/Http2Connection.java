package dev.portico.http;

import dev.portico.config.directive.Settings;
import dev.portico.core.Snapshot;
import dev.portico.observability.ErrorLog;
import dev.portico.observability.LogLevel;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP/2 client connection, after its codec ({@link Http2ServerCodec}), which serves each
 * stream with an {@link Http2Stream} on the connection itself. This handler keeps what belongs to
 * the connection, as nginx's ngx_http_v2_connection does: the limits of the server that owns
 * it (the one SNI chose, else the address's default), {@code keepalive_timeout} while no stream
 * is open, {@code keepalive_requests} and {@code keepalive_time} (the stream that reaches them
 * is served, then GOAWAY), a graceful stop (GOAWAY, then close when the streams are done), and
 * its place in {@code worker_connections}.
 */
final class Http2Connection extends ChannelInboundHandlerAdapter {
    private final ServerRuntime runtime;
    private Snapshot bound;
    private ListenerConf listener;
    private final ClientConnection connection;
    private final LoopConnections loop;
    private final LoopConnections.Slot slot;
    /** The settings of the server that owns the connection: its HTTP/2 and keep-alive limits. */
    private final Settings settings;
    private final long startNanos;
    private Http2Codecs.Built codec;
    private ChannelHandlerContext ctx;
    private int open;
    private boolean servedOne;
    private boolean goingAway;
    private ScheduledFuture<?> idleTimer;
    private long idleSince;
    /** The streams whose writes send_timeout watches, and the one timer that checks them. */
    private final ArrayList<Http2SendWatch> sendWatches = new ArrayList<>();
    private ScheduledFuture<?> sendTick;
    private long sendTickMillis;

    Http2Connection(ServerRuntime runtime, Snapshot bound, ListenerConf listener, ClientConnection connection,
                    LoopConnections loop, LoopConnections.Slot slot, Settings settings, long startNanos) {
        this.runtime = runtime;
        this.bound = bound;
        this.listener = listener;
        this.connection = connection;
        this.loop = loop;
        this.slot = slot;
        this.settings = settings;
        this.startNanos = startNanos;
    }

    Settings settings() {
        return settings;
    }

    void codec(Http2Codecs.Built built) {
        this.codec = built;
    }

    ClientConnection connection() {
        return connection;
    }

    Http2ChunkedDistributor chunks() {
        return codec.chunks();
    }

    /** The codec every stream of this connection writes through. */
    Http2ServerCodec codec() {
        return codec.codec();
    }

    /** Opens a stream's receive window by {@code delta} bytes more than its initial size (a WINDOW_UPDATE). */
    void growStreamWindow(io.netty.handler.codec.http2.Http2Stream s, int delta) {
        if (delta <= 0) {
            return;
        }
        try {
            codec().connection().local().flowController().incrementWindowSize(s, delta);
            codec().flushStreams();
        } catch (Http2Exception e) {
            // a window that would overflow stays as it is
        }
    }

    /** A stream error the codec found in what the client sent (the codec resets the stream): logged at info. */
    void streamError(Http2Exception.StreamException e) {
        ErrorLog.get().log(LogLevel.INFO, connection.id(), "client sent invalid HTTP/2 stream: " + e.getMessage()
            + ", client: " + connection.remoteHost());
    }

    /** A GOAWAY from the client: one with an error is logged. */
    void goAwayRead(long errorCode) {
        if (errorCode != Http2Error.NO_ERROR.code()) {
            ErrorLog.get().log(LogLevel.INFO, connection.id(), "client sent GOAWAY with error code " + errorCode
                + ", client: " + connection.remoteHost());
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        use(LoopConnections.Use.WAITING);
        armIdle();
    }

    private void use(LoopConnections.Use use) {
        if (loop != null) {
            loop.use(slot, use);
        }
    }

    /**
     * The configuration for a new stream: the one in force now (a reload applies to the next
     * stream, as to the next request of an HTTP/1 connection), or null when a reload removed the
     * connection's listener, which then goes away.
     */
    Snapshot snapshotForStream() {
        Snapshot snap = runtime.snapshot();
        if (snap != bound) {
            ListenerConf l = HttpConf.of(snap).listeners().get(listener.key());
            if (l == null) {
                goAway();
                return null;
            }
            listener = l;
            connection.rebind(l, l.forLocal(ctx.channel().localAddress()));
            bound = snap;
        }
        return snap;
    }

    /**
     * A stream's request began: nginx counts it against {@code keepalive_requests} and
     * {@code keepalive_time} of the connection's server; the one that reaches a limit is served
     * and GOAWAY tells the client to open a new connection for the next.
     */
    void requestStarted() {
        servedOne = true;
        if (connection.requests() >= settings.get(HttpModule.KEEPALIVE_REQUESTS)
            || System.nanoTime() - startNanos > TimeUnit.MILLISECONDS.toNanos(settings.get(HttpModule.KEEPALIVE_TIME))
            || runtime.draining()) {
            goAway();
        }
    }

    /** A stream began (its first HEADERS). */
    void opened() {
        if (open++ == 0) {
            use(LoopConnections.Use.BUSY);
        }
    }

    /** A stream that began has closed. */
    void closed(int streamId) {
        open--;
        if (codec != null) {
            codec.chunks().forget(streamId);
        }
        if (open > 0) {
            return;
        }
        if (goingAway) {
            ctx.close();
            return;
        }
        use(servedOne ? LoopConnections.Use.KEEPALIVE : LoopConnections.Use.WAITING);
        armIdle();
    }

    /**
     * keepalive_timeout runs while no stream is open; then GOAWAY and close, as nginx's idle
     * handler. The timer is not cancelled when a stream opens: when it fires it looks at how long
     * the connection has been idle, so a busy connection schedules nothing per stream.
     */
    private void armIdle() {
        idleSince = System.nanoTime();
        if (idleTimer == null) {
            scheduleIdleCheck(settings.get(HttpModule.KEEPALIVE_TIMEOUT));
        }
    }

    private void scheduleIdleCheck(long millis) {
        idleTimer = ctx.executor().schedule(this::idleCheck, Math.max(0, millis), TimeUnit.MILLISECONDS);
    }

    private void idleCheck() {
        idleTimer = null;
        if (open > 0 || goingAway) {
            return;
        }
        long left = settings.get(HttpModule.KEEPALIVE_TIMEOUT) - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - idleSince);
        if (left > 0) {
            scheduleIdleCheck(left);
        } else {
            goAway();
        }
    }

    private void cancelIdle() {
        if (idleTimer != null) {
            idleTimer.cancel(false);
            idleTimer = null;
        }
    }

    /**
     * {@code send_timeout}: a stream's writes are outstanding, and one timer for the whole
     * connection looks at them every {@code intervalMillis} (or sooner, for another stream).
     */
    void watchSends(Http2SendWatch w, long intervalMillis) {
        w.slot = sendWatches.size();
        sendWatches.add(w);
        if (sendTick != null && intervalMillis >= sendTickMillis) {
            return;
        }
        if (sendTick != null) {
            sendTick.cancel(false);
        }
        sendTickMillis = intervalMillis;
        sendTick = ctx.executor().schedule(this::checkSends, intervalMillis, TimeUnit.MILLISECONDS);
    }

    /** The stream has nothing more to watch: its place goes to the last one (the timer stays, and finds less). */
    void unwatchSends(Http2SendWatch w) {
        int i = w.slot;
        if (i < 0) {
            return;
        }
        w.slot = -1;
        Http2SendWatch last = sendWatches.remove(sendWatches.size() - 1);
        if (last != w) {
            sendWatches.set(i, last);
            last.slot = i;
        }
    }

    private void checkSends() {
        sendTick = null;
        long now = System.nanoTime();
        long next = Long.MAX_VALUE;
        for (int i = sendWatches.size() - 1; i >= 0; i--) {
            Http2SendWatch w = sendWatches.get(i);
            long interval = w.check(now);
            if (interval > 0) {
                next = Math.min(next, interval);
            } else {
                unwatchSends(w);
            }
        }
        if (!sendWatches.isEmpty() && ctx.channel().isActive()) {
            sendTickMillis = next;
            sendTick = ctx.executor().schedule(this::checkSends, next, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * GOAWAY (NO_ERROR, naming the last stream the client opened), then the connection closes as
     * soon as the streams it still serves are done.
     */
    void goAway() {
        if (goingAway || !ctx.channel().isActive()) {
            return;
        }
        goingAway = true;
        cancelIdle();
        Http2ServerCodec c = codec();
        ChannelHandlerContext cc = c.context();
        c.goAway(cc, c.connection().remote().lastStreamCreated(), Http2Error.NO_ERROR.code(), Unpooled.EMPTY_BUFFER, cc.newPromise())
            .addListener(f -> {
                if (open == 0) {
                    ctx.close();
                }
            });
        c.flushStreams();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == HttpConnectionHandler.DRAIN) {
            goAway();
            return;
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelIdle();
        if (sendTick != null) {
            sendTick.cancel(false);
            sendTick = null;
        }
        for (Http2SendWatch w : sendWatches) {
            w.slot = -1;
        }
        sendWatches.clear();
        ctx.fireChannelInactive();
    }

    /**
     * A connection error the codec found in what the client sent: the codec answers with GOAWAY
     * and the error's code and closes; this logs it, at info as nginx logs client errors.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Http2Exception h2 = Http2Exception.class.isInstance(cause) ? (Http2Exception) cause
            : cause.getCause() instanceof Http2Exception e ? e : null;
        if (h2 != null) {
            ErrorLog.get().log(LogLevel.INFO, connection.id(), "client sent invalid HTTP/2 data (" + h2.error() + "): "
                + h2.getMessage() + ", client: " + connection.remoteHost());
            return;
        }
        if (tlsCause(cause) != null) {
            ErrorLog.get().log(LogLevel.INFO, connection.id(), "SSL_read() failed (" + tlsCause(cause).getMessage()
                + ") while processing HTTP/2 connection, client: " + connection.remoteHost());
        } else if (!(cause instanceof java.io.IOException)) {
            ErrorLog.get().log(LogLevel.ERROR, connection.id(), "HTTP/2 connection error: " + cause);
        }
        ctx.close();
    }

    private static Throwable tlsCause(Throwable t) {
        for (int i = 0; t != null && i < 4; i++, t = t.getCause()) {
            if (t instanceof javax.net.ssl.SSLException) {
                return t;
            }
        }
        return null;
    }
}
