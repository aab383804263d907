package dev.portico.http;

import dev.portico.config.directive.Settings;
import dev.portico.core.Snapshot;
import dev.portico.observability.ErrorLog;
import dev.portico.observability.LogLevel;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.handler.stream.ChunkedInput;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP/2 stream as the client side of an {@link Exchange}: the second implementation of
 * {@link ClientSide}, next to the HTTP/1 connection. It lives in the stream's child channel
 * (on the connection's event loop, where the exchange's upstream connections live too).
 *
 * <p>Request: the HEADERS frame is the head ({@link Http2RequestHead}); DATA frames are the body,
 * read on demand: a frame is taken from the child channel only when the exchange asks, and
 * Netty returns its bytes to the client's window only then, so a slow consumer stops the client
 * (the stream window starts at {@code http2_body_preread_size}). Response: the head becomes a
 * HEADERS frame without connection-specific fields, the body DATA frames
 * ({@link Http2StreamEncoder}); writability and pending bytes follow the stream's flow-control
 * window and the connection. An aborted response resets the stream (INTERNAL_ERROR); a response
 * complete before the body was read resets it with NO_ERROR (RFC 9113 section 8.1), as nginx.
 */
final class Http2Stream extends ChannelInboundHandlerAdapter implements ClientSide {
    private final Http2Connection conn;
    private Http2StreamEncoder encoder;
    private ChannelHandlerContext ctx;
    /** limit_rate was looked at and, when set, handed to the encoder: no second look. */
    private boolean ratePaced;
    private Exchange current;
    private boolean started;
    /** END_STREAM came from the client: the request is all read. */
    private boolean requestEnded;
    /** The response's last frame was written: the exchange ends when its write completes. */
    private boolean endWritten;
    /** The stream's output is over (END_STREAM written or about to be): later body writes are dropped. */
    private boolean outputEnded;
    private boolean readScheduled;
    private boolean windowOpened;
    private boolean awaitingBody;
    private long lastRead = System.nanoTime();
    private ScheduledFuture<?> bodyTimer;
    private Http2SendWatch sendWatch;
    private long bytesSent;
    private long pending;

    Http2Stream(Http2Connection conn) {
        this.conn = conn;
    }

    void encoder(Http2StreamEncoder e) {
        this.encoder = e;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.sendWatch = new Http2SendWatch(this, ctx);
    }

    /** The exchange in progress on this stream, or null. */
    Exchange current() {
        return current;
    }

    /** Response bytes {@code limit_rate} holds back. */
    long heldBytes() {
        return encoder.heldBytes();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        // the HEADERS frame waits in the child channel until asked for
        ctx.read();
        ctx.fireChannelActive();
    }

    private int streamId() {
        return ((Http2StreamChannel) ctx.channel()).stream().id();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Http2HeadersFrame h) {
            if (!started) {
                started = true;
                requestEnded = h.isEndStream();
                start(h.headers(), h.isEndStream());
            } else {
                trailers(h);
            }
        } else if (msg instanceof Http2DataFrame d) {
            requestEnded |= d.isEndStream();
            body(d);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.fireChannelReadComplete();
    }

    /** RST_STREAM from the client comes as an event (it is not flow-controlled): the request is cancelled. */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof Http2ResetFrame r) {
            if (current != null) {
                ErrorLog.get().log(LogLevel.INFO, conn.connection().id(), "client terminated stream " + streamId()
                    + " with status " + r.errorCode() + ", client: " + conn.connection().remoteHost());
            }
            // unread DATA would keep the child channel open: close it, which ends the exchange; after
            // the codec has closed the stream, or Netty would answer the reset with a reset of its own
            ctx.executor().execute(() -> ctx.close());
            return;
        }
        ReferenceCountUtil.release(evt);
    }

    // ---- the request ----

    private void start(Http2Headers headers, boolean endStream) {
        long startNanos = System.nanoTime();
        Snapshot snap = conn.snapshotForStream();
        if (snap == null) {
            // a reload removed the listener: the client retries this stream on a new connection
            ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.REFUSED_STREAM));
            ctx.close();
            return;
        }
        ClientConnection connection = conn.connection();
        connection.countRequest();
        conn.requestStarted();
        Settings defaults = connection.address().servers().defaultServer().settings();
        HttpRequest req = Http2RequestHead.toRequest(headers);
        RequestHead head = RequestHead.parse(req, connection, defaults);
        Exchange ex = new Exchange(snap, connection, this, req, head.rawTarget(), head.path(), head.args(), !endStream, true,
            startNanos);
        current = ex;
        snap.usage().enter();
        ex.server(head.server() != null ? head.server() : connection.address().servers().defaultServer());
        ex.host(head.host());
        if (head.serverMatch() != null) {
            ex.captures(head.serverMatch());
        }
        if (head.error() != 0) {
            ex.location(ex.server().root());
            if (ErrorLog.get().enabled(LogLevel.INFO)) {
                ErrorLog.get().log(LogLevel.INFO, connection.id(), head.reason() + ", client: " + connection.remoteHost()
                    + ", server: " + ex.server().primaryName() + ", request: \"" + ErrorLog.requestLine(ex) + "\"");
            }
            ex.sendBuiltinPage(head.error(), null);
            return;
        }
        try {
            RequestProcessor.begin(ex);
        } catch (RuntimeException e) {
            ErrorLog.get().log(LogLevel.ALERT, connection.id(), "request failed: " + e);
            if (!ex.responseStarted()) {
                ex.sendBuiltinPage(500, null);
            } else {
                ex.abort();
            }
        }
    }

    private void body(Http2DataFrame d) {
        Exchange ex = current;
        if (ex == null || ex.bodyComplete()) {
            d.release();
            return;
        }
        awaitingBody = false;
        lastRead = System.nanoTime();
        long max = ex.settings().get(HttpModule.CLIENT_MAX_BODY_SIZE);
        int n = d.content().readableBytes();
        if (!ex.responseDone() && max > 0 && ex.bodyBytesReceived() + n > max) {
            // a body without Content-Length is counted as it comes, as nginx does for HTTP/2
            d.release();
            bodyTooLarge(ex, n);
            return;
        }
        if (d.isEndStream()) {
            cancelBodyTimer();
        }
        // the frame's buffer goes on as the content (its reference with it)
        HttpContent c = d.isEndStream() ? new DefaultLastHttpContent(d.content()) : new DefaultHttpContent(d.content());
        ex.deliverBody(c);
    }

    /** A HEADERS frame after the body: the request's trailers end it. */
    private void trailers(Http2HeadersFrame h) {
        Exchange ex = current;
        requestEnded = true;
        if (ex == null || ex.bodyComplete()) {
            return;
        }
        cancelBodyTimer();
        DefaultLastHttpContent last = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER);
        HttpHeaders t = last.trailingHeaders();
        for (var e : h.headers()) {
            if (e.getKey().length() > 0 && e.getKey().charAt(0) != ':') {
                t.add(e.getKey(), e.getValue());
            }
        }
        ex.deliverBody(last);
    }

    private void bodyTooLarge(Exchange ex, int more) {
        ErrorLog.of(ex).log(LogLevel.ERROR, conn.connection().id(), "client intended to send too large body: "
            + ex.bodyBytesReceived() + "+" + more + " bytes, client: " + conn.connection().remoteHost()
            + ", server: " + ex.server().primaryName() + ", request: \"" + ErrorLog.requestLine(ex) + "\"");
        ex.failBody(new TooLongFrameException("client_max_body_size"));
        if (!ex.responseStarted()) {
            ex.sendError(413);
        } else {
            ex.abort();
        }
    }

    /**
     * The exchange asks for more body. The first time, the stream's window opens to
     * {@code client_body_buffer_size} when that is larger than the preread window (nginx sizes
     * it so when it starts reading the body). The read is dispatched, not run inline: frames
     * already queued would otherwise be delivered inside the caller.
     */
    @Override
    public void readBody() {
        Exchange ex = current;
        if (ex == null || ex.bodyComplete()) {
            return;
        }
        if (!windowOpened) {
            windowOpened = true;
            openWindow(ex);
        }
        if (!awaitingBody) {
            awaitingBody = true;
            lastRead = Math.max(lastRead, System.nanoTime());
            armBodyTimer(ex.settings().get(HttpModule.CLIENT_BODY_TIMEOUT));
        }
        if (!readScheduled) {
            readScheduled = true;
            ctx.executor().execute(() -> {
                readScheduled = false;
                if (current != null && !current.bodyComplete()) {
                    ctx.read();
                }
            });
        }
    }

    private void openWindow(Exchange ex) {
        long preread = conn.settings().get(Http2Module.BODY_PREREAD_SIZE);
        long want = Math.min(Http2Module.MAX_WINDOW, ex.settings().get(HttpModule.CLIENT_BODY_BUFFER_SIZE));
        if (want > preread) {
            conn.growStreamWindow(streamId(), (int) (want - preread));
        }
    }

    // ---- client_body_timeout ----

    private void armBodyTimer(long timeoutMillis) {
        cancelBodyTimer();
        if (timeoutMillis <= 0) {
            return;
        }
        long delay = Math.max(1, lastRead + TimeUnit.MILLISECONDS.toNanos(timeoutMillis) - System.nanoTime());
        bodyTimer = ctx.executor().schedule(() -> onBodyTimer(timeoutMillis), delay, TimeUnit.NANOSECONDS);
    }

    private void onBodyTimer(long timeoutMillis) {
        bodyTimer = null;
        Exchange ex = current;
        if (ex == null || ex.bodyComplete()) {
            return;
        }
        if (!awaitingBody || System.nanoTime() - lastRead < TimeUnit.MILLISECONDS.toNanos(timeoutMillis)) {
            // nobody asked for the body since (backpressure), or bytes came: not the client's delay
            if (!awaitingBody) {
                lastRead = System.nanoTime();
            }
            armBodyTimer(timeoutMillis);
            return;
        }
        ErrorLog.of(ex).log(LogLevel.INFO, conn.connection().id(),
            "client timed out (110: Connection timed out) while reading client request body, client: " + conn.connection().remoteHost());
        ex.failBody(new java.util.concurrent.TimeoutException("client_body_timeout"));
        if (!ex.responseStarted()) {
            ex.sendBuiltinPage(408, null);
        } else {
            ex.abort();
        }
    }

    private void cancelBodyTimer() {
        if (bodyTimer != null) {
            bodyTimer.cancel(false);
            bodyTimer = null;
        }
    }

    // ---- ClientSide: the response ----

    @Override
    public EventLoop eventLoop() {
        return ctx.channel().eventLoop();
    }

    @Override
    public ByteBufAllocator alloc() {
        return ctx.alloc();
    }

    @Override
    public void sendContinue() {
        // HTTP/2 has no 100-continue to wait for: the stream's window is the invitation
    }

    /**
     * The filtered head as a HEADERS frame: {@code :status}, the fields in nginx's order, without
     * the connection-specific ones (Connection, Keep-Alive, Transfer-Encoding, Upgrade...), names
     * in lower case. A response without body (HEAD, 204, 304) ends the stream here.
     */
    @Override
    public ChannelFuture writeHead(Exchange ex, HttpResponse head) {
        int status = ex.status();
        boolean noBody = ex.isHead() || status == 204 || status == 304 || status < 200;
        HttpHeaders h = head.headers();
        ResponseHeaderOrder.apply(h);
        Http2Headers out = HttpConversionUtil.toHttp2Headers(head, false);
        long size = 9;
        for (var e : out) {
            size += e.getKey().length() + e.getValue().length() + 2;
        }
        ex.headerBytes(size);
        int chunk = (int) Math.min(Integer.MAX_VALUE, ex.headerSettings().get(Http2Module.CHUNK_SIZE));
        conn.chunks().chunkSize(streamId(), chunk);
        if (noBody) {
            outputEnded = true;
        }
        long n = size;
        ChannelFuture f = sendWatch.track(ctx.write(new DefaultHttp2HeadersFrame(out, noBody)));
        f.addListener(x -> {
            if (x.isSuccess()) {
                sent(n);
            }
        });
        sendWatch.wrote(ex);
        return f;
    }

    @Override
    public ChannelFuture write(Exchange ex, Object content, boolean flush) {
        limitRate(ex);
        if (content instanceof ChunkedInput<?> in) {
            ensureChunkedWriter();
            content = new Http2PacedInput(in, encoder);
        }
        long n = content instanceof HttpContent c ? c.content().readableBytes() : 0;
        pending += n;
        ChannelFuture f = sendWatch.track(flush ? ctx.writeAndFlush(content) : ctx.write(content));
        if (n > 0) {
            f.addListener(x -> pending -= n);
        }
        sendWatch.wrote(ex);
        return f;
    }

    /** File chunks are pulled as the stream's window and the connection take them. */
    private void ensureChunkedWriter() {
        if (ctx.pipeline().get(io.netty.handler.stream.ChunkedWriteHandler.class) == null) {
            ctx.pipeline().addBefore(ctx.name(), "chunked", new io.netty.handler.stream.ChunkedWriteHandler());
        }
    }

    /**
     * {@code limit_rate}: once {@code limit_rate_after} bytes of the body are out, the stream is
     * paced at the request's rate ({@code $limit_rate}, {@code X-Accel-Limit-Rate}, or the
     * location's), per stream as nginx does over HTTP/2.
     */
    private void limitRate(Exchange ex) {
        if (ratePaced) {
            return;
        }
        Settings s = ex.headerSettings();
        LimitRate limit = ex.limitRate();
        long rate = limit.rate(ex, s);
        if (rate <= 0 || ex.bodyBytesSent() < limit.after(ex, s)) {
            return;
        }
        ratePaced = true;
        encoder.rate(rate);
    }

    /** The encoder's held bytes fell low: a paused file transfer and a waiting producer go on. */
    void outputDrained() {
        io.netty.handler.stream.ChunkedWriteHandler chunks = ctx.pipeline().get(io.netty.handler.stream.ChunkedWriteHandler.class);
        if (chunks != null) {
            chunks.resumeTransfer();
        }
        Exchange ex = current;
        if (ex != null && isWritable()) {
            ex.fireWritability(true);
        }
    }

    @Override
    public ChannelFuture end(Exchange ex, LastHttpContent last) {
        limitRate(ex);
        endWritten = true;
        ChannelFuture f = sendWatch.track(ctx.writeAndFlush(last));
        sendWatch.wrote(ex);
        f.addListener(x -> responseComplete(ex, x.isSuccess()));
        return f;
    }

    /** The response's last frame was written (or failed): the exchange ends. */
    private void responseComplete(Exchange ex, boolean success) {
        if (ex != current) {
            return;
        }
        current = null;
        cancelBodyTimer();
        sendWatch.cancel();
        try {
            HttpConnectionHandler.ended(ex);
        } finally {
            if (!success) {
                ctx.close();
            } else if (!requestEnded && ctx.channel().isActive()) {
                // the body the response did not need: stop the client sending it, without error,
                // unless it already ended the stream (its last frames are only waiting, unread)
                if (((Http2StreamChannel) ctx.channel()).stream().state() == io.netty.handler.codec.http2.Http2Stream.State.HALF_CLOSED_LOCAL) {
                    ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.NO_ERROR));
                }
                ctx.close();
            }
        }
    }

    @Override
    public void flush() {
        ctx.flush();
    }

    @Override
    public ChannelFuture succeeded() {
        return ctx.newSucceededFuture();
    }

    @Override
    public boolean isWritable() {
        return ctx.channel().isWritable() && encoder.heldBytes() < Http2StreamEncoder.HOLD_LIMIT;
    }

    @Override
    public long pendingBytes() {
        return pending;
    }

    @Override
    public long bytesSent() {
        return bytesSent;
    }

    /** Response bytes whose frames were written ($bytes_sent): headers estimated, DATA with frame headers. */
    void sent(long n) {
        bytesSent += n;
    }

    boolean outputEnded() {
        return outputEnded;
    }

    void outputEnded(boolean ended) {
        outputEnded = ended;
    }

    @Override
    public boolean isActive() {
        return ctx.channel().isActive();
    }

    /** The response cannot go on (a backend failed mid-body): the stream is reset, the connection lives on. */
    @Override
    public void abort(Exchange ex) {
        if (ctx.channel().isActive()) {
            ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.INTERNAL_ERROR));
            ctx.close();
        }
    }

    /** No protocol switch over HTTP/2 (no RFC 8441): a 101 from a backend cannot be relayed. */
    @Override
    public void switchProtocols(Exchange ex, ChannelHandler tunnel) {
        abort(ex);
        if (current == ex) {
            current = null;
            HttpConnectionHandler.ended(ex);
        }
    }

    @Override
    public Channel tunnelChannel() {
        return null;
    }

    @Override
    public boolean takesFileRegions() {
        return false;
    }

    // ---- the stream closes ----

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelBodyTimer();
        sendWatch.cancel();
        Exchange ex = current;
        if (ex != null && !endWritten) {
            // reset by the client, or the connection went: nginx logs 499 when nothing was sent
            current = null;
            ex.clientLost();
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

    /** A stream error the codec found (the codec resets the stream): logged at info, as a client's error. */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ErrorLog.get().log(LogLevel.INFO, conn.connection().id(), "client sent invalid HTTP/2 stream: " + cause.getMessage()
            + ", client: " + conn.connection().remoteHost());
        ctx.close();
    }
}
