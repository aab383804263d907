package dev.portico.http;

import dev.portico.config.directive.Settings;
import dev.portico.core.Snapshot;
import dev.portico.observability.ErrorLog;
import dev.portico.observability.LogLevel;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.util.ReferenceCountUtil;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP/2 stream as the client side of an {@link Exchange}: the second implementation of
 * {@link ClientSide}, next to the HTTP/1 connection. It is served on the connection itself (no
 * channel of its own): {@link Http2StreamDispatcher} hands it what the codec reads, and it writes
 * its frames through the codec's encoder, on the connection's event loop, where the exchange's
 * upstream connections live too.
 *
 * <p>Request: the HEADERS frame is the head ({@link Http2RequestHead}); DATA frames are the body,
 * read on demand: a frame waits here until the exchange asks for body, and its bytes go back to
 * the client's window only once delivered, so a slow consumer stops that client's stream and no
 * other (the stream window starts at {@code http2_body_preread_size}). Response: the head becomes
 * a HEADERS frame without connection-specific fields, the body DATA frames
 * ({@link Http2StreamEncoder}); the stream is writable while its flow-control window, the
 * connection's window and the socket can take more, and the remote flow controller says when
 * that changes. An aborted response resets the stream (INTERNAL_ERROR); a response complete
 * before the body was read resets it with NO_ERROR (RFC 9113 section 8.1), as nginx.
 */
final class Http2Stream implements ClientSide {
    private final Http2Connection conn;
    private final io.netty.handler.codec.http2.Http2Stream stream;
    private final Http2ServerCodec codec;
    private final ChannelHandlerContext ctx;
    private final Http2StreamEncoder encoder;
    private final Http2SendWatch sendWatch;
    /** limit_rate was looked at and, when set, handed to the encoder: no second look. */
    private boolean ratePaced;
    private Exchange current;
    /** END_STREAM came from the client: the request is all read. */
    private boolean requestEnded;
    /** The client reset the stream: whatever was sent, the exchange is cut short. */
    private boolean resetByClient;
    /** The response's last frame was written: the exchange ends when its write completes. */
    private boolean endWritten;

    // the request body
    /** DATA (and trailers) the exchange has not asked for yet; their bytes are still the client's window. */
    private ArrayDeque<HttpContent> unread;
    /** The exchange asked for body and has not been given any since. */
    private boolean wantBody;
    /** Queued body is being handed over (or will be, by a task): arriving DATA queues behind it. */
    private boolean delivering;
    private boolean windowOpened;
    private boolean awaitingBody;
    private long lastRead = System.nanoTime();
    private ScheduledFuture<?> bodyTimer;

    private long bytesSent;
    private long pending;

    Http2Stream(Http2Connection conn, io.netty.handler.codec.http2.Http2Stream stream) {
        this.conn = conn;
        this.stream = stream;
        this.codec = conn.codec();
        this.ctx = codec.context();
        this.encoder = new Http2StreamEncoder(this, codec, stream);
        this.sendWatch = new Http2SendWatch(this, conn);
    }

    /** The exchange in progress on this stream, or null. */
    Exchange current() {
        return current;
    }

    /** Response bytes {@code limit_rate} holds back. */
    long heldBytes() {
        return encoder.heldBytes();
    }

    /** Netty closed the stream: nothing more can be sent on it. */
    private boolean gone() {
        return stream.state() == io.netty.handler.codec.http2.Http2Stream.State.CLOSED;
    }

    // ---- the request ----

    /** The stream's first HEADERS frame: the request begins. */
    void start(Http2Headers headers, boolean endStream) {
        try {
            begin(headers, endStream);
        } catch (RuntimeException e) {
            // this stream's trouble, not the connection's (the codec would end the connection)
            ErrorLog.get().log(LogLevel.ALERT, conn.connection().id(), "request failed: " + e);
            reset(Http2Error.INTERNAL_ERROR);
        }
    }

    private void begin(Http2Headers headers, boolean endStream) {
        requestEnded = endStream;
        long startNanos = System.nanoTime();
        Snapshot snap = conn.snapshotForStream();
        if (snap == null) {
            // a reload removed the listener: the client retries this stream on a new connection
            reset(Http2Error.REFUSED_STREAM);
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
            failed(ex, e);
        }
    }

    /** Something threw while serving the request: a 500 when nothing was sent yet, else the stream is reset. */
    private void failed(Exchange ex, RuntimeException e) {
        ErrorLog.get().log(LogLevel.ALERT, conn.connection().id(), "request failed: " + e);
        if (!ex.responseStarted()) {
            ex.sendBuiltinPage(500, null);
        } else {
            ex.abort();
        }
    }

    /**
     * A DATA frame: handed over at once when the exchange waits for body, else kept until it asks.
     * Returns the bytes that go back to the client's window now (those nobody will read).
     */
    int data(ByteBuf data, boolean endStream) {
        requestEnded |= endStream;
        Exchange ex = current;
        if (ex == null || ex.bodyComplete()) {
            return data.readableBytes();
        }
        data.retain();
        arrived(endStream ? new DefaultLastHttpContent(data) : new DefaultHttpContent(data));
        return 0;
    }

    /** A HEADERS frame after the body: the request's trailers end it. */
    void trailers(Http2Headers h) {
        requestEnded = true;
        Exchange ex = current;
        if (ex == null || ex.bodyComplete()) {
            return;
        }
        DefaultLastHttpContent last = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER);
        HttpHeaders t = last.trailingHeaders();
        for (var e : h) {
            if (e.getKey().length() > 0 && e.getKey().charAt(0) != ':') {
                t.add(e.getKey(), e.getValue());
            }
        }
        arrived(last);
    }

    private void arrived(HttpContent c) {
        if (wantBody && !delivering && (unread == null || unread.isEmpty())) {
            deliver(c);
            return;
        }
        if (unread == null) {
            unread = new ArrayDeque<>(4);
        }
        unread.add(c);
    }

    /** One piece of body for the exchange (one per ask, as one read); its bytes go back to the client's window. */
    private void deliver(HttpContent c) {
        wantBody = false;
        int n = c.content().readableBytes();
        if (n > 0 && !gone()) {
            try {
                codec.connection().local().flowController().consumeBytes(stream, n);
            } catch (io.netty.handler.codec.http2.Http2Exception e) {
                // the stream is going: its window does not matter
            }
        }
        Exchange ex = current;
        if (ex == null || ex.bodyComplete()) {
            c.release();
            return;
        }
        awaitingBody = false;
        lastRead = System.nanoTime();
        long max = ex.settings().get(HttpModule.CLIENT_MAX_BODY_SIZE);
        if (!ex.responseDone() && max > 0 && ex.bodyBytesReceived() + n > max) {
            // a body without Content-Length is counted as it comes, as nginx does for HTTP/2
            c.release();
            bodyTooLarge(ex, n);
            return;
        }
        if (c instanceof LastHttpContent) {
            cancelBodyTimer();
        }
        try {
            ex.deliverBody(c);
        } catch (RuntimeException e) {
            failed(ex, e);
        }
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
     * it so when it starts reading the body). Body already here is handed over by a task, not
     * inline: the caller does not expect to be called back before it returns.
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
        wantBody = true;
        if (!delivering && unread != null && !unread.isEmpty()) {
            delivering = true;
            eventLoop().execute(this::deliverUnread);
        }
    }

    private void deliverUnread() {
        try {
            HttpContent c;
            while (wantBody && unread != null && (c = unread.poll()) != null) {
                deliver(c);
            }
        } finally {
            delivering = false;
        }
        // the window credit given back
        codec.flushStreams();
    }

    private void openWindow(Exchange ex) {
        long preread = conn.settings().get(Http2Module.BODY_PREREAD_SIZE);
        long want = Math.min(Http2Module.MAX_WINDOW, ex.settings().get(HttpModule.CLIENT_BODY_BUFFER_SIZE));
        if (want > preread && !gone()) {
            conn.growStreamWindow(stream, (int) (want - preread));
        }
    }

    private void releaseUnread() {
        if (unread != null) {
            HttpContent c;
            while ((c = unread.poll()) != null) {
                c.release();
            }
        }
    }

    // ---- client_body_timeout ----

    private void armBodyTimer(long timeoutMillis) {
        cancelBodyTimer();
        if (timeoutMillis <= 0) {
            return;
        }
        long delay = Math.max(1, lastRead + TimeUnit.MILLISECONDS.toNanos(timeoutMillis) - System.nanoTime());
        bodyTimer = eventLoop().schedule(() -> onBodyTimer(timeoutMillis), delay, TimeUnit.NANOSECONDS);
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
     * The filtered head as a HEADERS frame ({@link Http2ResponseHead}). A response without body
     * (HEAD, 204, 304) ends the stream here.
     */
    @Override
    public ChannelFuture writeHead(Exchange ex, HttpResponse head) {
        int status = ex.status();
        boolean noBody = ex.isHead() || status == 204 || status == 304 || status < 200;
        long[] size = new long[1];
        Http2Headers out = Http2ResponseHead.toHttp2(head, size);
        ex.headerBytes(size[0]);
        int chunk = (int) Math.min(Integer.MAX_VALUE, ex.headerSettings().get(Http2Module.CHUNK_SIZE));
        conn.chunks().chunkSize(stream.id(), chunk);
        if (gone()) {
            return ctx.newFailedFuture(new ClosedChannelException());
        }
        ChannelPromise p = ctx.newPromise();
        track(p, 0, null).sentBytes = size[0];
        encoder.headers(out, noBody, p);
        sendWatch.wrote(ex);
        return p;
    }

    @Override
    public ChannelFuture write(Exchange ex, Object content, boolean flush) {
        if (gone()) {
            if (content instanceof io.netty.handler.stream.ChunkedInput<?> in) {
                Http2StreamEncoder.closeQuietly(in);
            }
            ReferenceCountUtil.release(content);
            return ctx.newFailedFuture(new ClosedChannelException());
        }
        limitRate(ex);
        int n = content instanceof HttpContent c ? c.content().readableBytes() : 0;
        pending += n;
        ChannelPromise p = ctx.newPromise();
        Written w = track(p, n, null);
        w.sentBytes = encoder.write(content, p);
        if (flush) {
            flush();
        }
        sendWatch.wrote(ex);
        return p;
    }

    /**
     * Watches one write of the response: send_timeout waits for it, it counts as pending until it
     * completes, and then into $bytes_sent; the last one ends the exchange.
     */
    private Written track(ChannelPromise p, int pendingBytes, Exchange ends) {
        sendWatch.started();
        Written w = new Written(pendingBytes, ends);
        p.addListener(w);
        return w;
    }

    /** One write of the response completed (see {@link #track}). */
    private final class Written implements ChannelFutureListener {
        private final int pendingBytes;
        private final Exchange ends;
        /** Set right after the write is handed over: a write completes later, or fails at once. */
        long sentBytes;

        Written(int pendingBytes, Exchange ends) {
            this.pendingBytes = pendingBytes;
            this.ends = ends;
        }

        @Override
        public void operationComplete(ChannelFuture f) {
            sendWatch.completed();
            pending -= pendingBytes;
            if (f.isSuccess()) {
                bytesSent += sentBytes;
            }
            if (ends != null) {
                responseComplete(ends, f.isSuccess());
            }
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

    /** The encoder's held bytes fell low: a waiting producer goes on. */
    void outputDrained() {
        Exchange ex = current;
        if (ex != null && isWritable()) {
            ex.fireWritability(true);
        }
    }

    /** The stream's window, the connection's or the socket's writability changed. */
    void writabilityChanged() {
        if (gone()) {
            return;
        }
        boolean writable = isWritable();
        if (writable) {
            encoder.resume();
        }
        Exchange ex = current;
        if (ex != null) {
            ex.fireWritability(writable);
        }
    }

    /** True while the remote flow controller takes more of this stream's response without queueing past its window. */
    boolean windowOpen() {
        return !gone() && codec.encoder().flowController().isWritable(stream);
    }

    @Override
    public ChannelFuture end(Exchange ex, LastHttpContent last) {
        if (gone() && !encoder.ended()) {
            last.release();
            ChannelFuture f = ctx.newFailedFuture(new ClosedChannelException());
            responseComplete(ex, false);
            return f;
        }
        limitRate(ex);
        endWritten = true;
        ChannelPromise p = ctx.newPromise();
        Written w = track(p, 0, ex);
        w.sentBytes = encoder.write(last, p);
        flush();
        sendWatch.wrote(ex);
        return p;
    }

    /** The response's last frame was written (or failed): the exchange ends. */
    private void responseComplete(Exchange ex, boolean success) {
        if (ex != current) {
            return;
        }
        current = null;
        cancelBodyTimer();
        sendWatch.stop();
        try {
            HttpConnectionHandler.ended(ex);
        } finally {
            if (!success) {
                reset(Http2Error.CANCEL);
            } else if (!requestEnded && stream.state() == io.netty.handler.codec.http2.Http2Stream.State.HALF_CLOSED_LOCAL) {
                // the body the response did not need: stop the client sending it, without error,
                // unless it already ended the stream (its last frames are only waiting, unread)
                reset(Http2Error.NO_ERROR);
            }
        }
    }

    /** Resets the stream (RST_STREAM); what is queued for it is dropped, and its close ends the exchange. */
    private void reset(Http2Error error) {
        if (gone()) {
            return;
        }
        encoder.drop();
        codec.resetStream(ctx, stream.id(), error.code(), ctx.newPromise());
        codec.flushStreams();
    }

    @Override
    public void flush() {
        codec.flushStreams();
    }

    @Override
    public ChannelFuture succeeded() {
        return ctx.newSucceededFuture();
    }

    @Override
    public boolean isWritable() {
        return windowOpen() && encoder.heldBytes() < Http2StreamEncoder.HOLD_LIMIT;
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

    @Override
    public boolean isActive() {
        return !gone() && ctx.channel().isActive();
    }

    /** The response cannot be completed (a file could not be read): the stream is reset. */
    void abortOutput() {
        reset(Http2Error.INTERNAL_ERROR);
    }

    /** The response cannot go on (a backend failed mid-body): the stream is reset, the connection lives on. */
    @Override
    public void abort(Exchange ex) {
        reset(Http2Error.INTERNAL_ERROR);
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

    /** RST_STREAM from the client: the request is cancelled (the codec closes the stream next). */
    void resetByClient(long errorCode) {
        resetByClient = true;
        if (current != null) {
            ErrorLog.get().log(LogLevel.INFO, conn.connection().id(), "client terminated stream " + stream.id()
                + " with status " + errorCode + ", client: " + conn.connection().remoteHost());
        }
    }

    /** The stream closed (both sides ended, a reset either way, or the connection went): everything it holds goes. */
    void closed() {
        cancelBodyTimer();
        sendWatch.stop();
        releaseUnread();
        encoder.drop();
        Exchange ex = current;
        if (ex != null && (resetByClient || !endWritten && !encoder.ended())) {
            // reset by the client, or the connection went: nginx logs 499 when nothing was sent
            current = null;
            ex.clientLost();
        }
    }
}
