package dev.portico.http;

import dev.portico.config.directive.Settings;
import dev.portico.core.Snapshot;
import dev.portico.observability.ErrorLog;
import dev.portico.observability.LogLevel;
import dev.portico.upstream.DeadlineTimer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.FileRegion;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One client connection's HTTP/1.x life: reads requests one at a time (auto-read is off, so the
 * next read happens only when this handler or a body consumer asks), runs each through the
 * phases, keeps pipelined requests in order, and enforces the connection timeouts
 * ({@code client_header_timeout}, {@code client_body_timeout}, {@code keepalive_timeout},
 * {@code send_timeout}) and keep-alive limits ({@code keepalive_requests}, {@code keepalive_time}).
 */
public final class HttpConnectionHandler extends ChannelInboundHandlerAdapter implements ClientSide {
    private enum State { WAIT_REQUEST, IN_REQUEST, CLOSING }

    private final ServerRuntime runtime;
    private ListenerConf listener;
    private Settings defaults;
    /**
     * The configuration {@link #listener} and {@link #defaults} come from; when a reload has
     * swapped it, the next request rebinds to the new one.
     */
    private Snapshot bound;
    private final long startNanos = System.nanoTime();
    private ClientConnection connection;
    /** The limit_rate shaper of the response being sent, or null. */
    private io.netty.handler.traffic.ChannelTrafficShapingHandler rateShaper;
    private ChannelHandlerContext ctx;
    private State state = State.WAIT_REQUEST;
    private Exchange current;
    private final ArrayDeque<HttpObject> queued = new ArrayDeque<>(2);
    /** The one read timer (client_header_timeout, client_body_timeout, keepalive_timeout): re-armed per request without scheduling. */
    private DeadlineTimer timer;
    private final Runnable headerTimeout = this::onHeaderTimeout;
    /** The idle timeout the timer runs with, and its action. */
    private long idleTimeoutMillis;
    private final Runnable idleTimeout = () -> onTimer(idleTimeoutMillis);
    private long lastRead = System.nanoTime();
    private boolean partialRequest;
    /** When the first byte of the request being read arrived. */
    private long requestStartNanos;
    /** The client_body_timeout the timer runs with for the current exchange (-1: none armed). */
    private long bodyTimeout = -1;
    /** A body read was asked for and has not been answered: only then does client_body_timeout run. */
    private boolean awaitingBody;
    /** The current exchange's response is complete and the rest of its body is read and dropped. */
    private boolean discarding;

    private ScheduledFuture<?> sendCheck;
    private long sendTimeoutMillis;
    private long sendProgressAt;
    private long sendSignature;
    /** Encoded response bytes handed towards the socket, and those whose write succeeded ($bytes_sent). */
    private long bytesWritten;
    private long bytesSent;

    /** This connection's place in its event loop's worker_connections count (null when not counted). */
    private LoopConnections loop;
    private LoopConnections.Slot slot;

    /** A user event that asks an idle keep-alive connection to close (graceful stop). */
    public static final Object DRAIN = new Object();

    /** A handler for a listener of the snapshot in force now. */
    public HttpConnectionHandler(ServerRuntime runtime, ListenerConf listener, Settings defaults) {
        this(runtime, runtime.snapshot(), listener, defaults);
    }

    /** @param bound the snapshot {@code listener} and {@code defaults} were taken from */
    HttpConnectionHandler(ServerRuntime runtime, Snapshot bound, ListenerConf listener, Settings defaults) {
        this.runtime = runtime;
        this.bound = bound;
        this.listener = listener;
        this.defaults = defaults;
    }

    void slot(LoopConnections loop, LoopConnections.Slot slot) {
        this.loop = loop;
        this.slot = slot;
    }

    /** Tells the loop's registry whether this connection may be closed to make room for a new client. */
    private void use(LoopConnections.Use use) {
        if (loop != null) {
            loop.use(slot, use);
        }
    }

    /** This connection, once active (null before). */
    ClientConnection connection() {
        return connection;
    }

    /** The connection's facts made before it is active (the initializer's, which TLS handlers share). */
    void connection(ClientConnection c) {
        this.connection = c;
    }

    /**
     * The connection turns to HTTP/2 before any request was read through this handler: it stops
     * serving (its timers end) and hands over what the connection is: the listener, the
     * connection's facts, its worker_connections slot, and the settings of the server that owns
     * it, the one SNI named on TLS (nginx's hc->conf_ctx) or the address's default. Null when
     * a reload removed the listener.
     */
    Http2Connection handOverToHttp2() {
        state = State.CLOSING;
        stopTimer();
        cancelSendCheck();
        releaseQueued();
        Snapshot snap = runtime.snapshot();
        if (snap != bound && !rebind(snap)) {
            return null;
        }
        AddressConf address = connection.address();
        String sni = connection.tlsServerName();
        VirtualServer owner = sni == null || sni.isEmpty() ? address.servers().defaultServer() : address.servers().find(sni).server();
        return new Http2Connection(runtime, bound, listener, connection, loop, slot, owner.settings(), startNanos);
    }

    /** worker_connections ran out: this idle connection is closed so that a new client is served. */

    void reuse() {
        close();
        // a lingering connection is already CLOSING: close the socket itself
        ctx.channel().close();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        timer = new DeadlineTimer(ctx.executor());
        if (connection == null) {
            connection = new ClientConnection(ctx.channel(), listener, listener.forLocal(ctx.channel().localAddress()));
        }
        // a connection that never sends anything is closed after client_header_timeout, without an answer
        armHeaderTimer();
        use(LoopConnections.Use.WAITING);
        ctx.read();
        ctx.fireChannelActive();
    }

    /** Raw bytes arrived (seen before the decoder): keeps the idle timers honest. */
    void bytesArrived() {
        lastRead = System.nanoTime();
        if (state == State.WAIT_REQUEST && current == null && !partialRequest) {
            // the first byte of a request: from now on the whole head must come within client_header_timeout
            partialRequest = true;
            requestStartNanos = lastRead;
            armHeaderTimer();
            use(LoopConnections.Use.PARTIAL_HEAD);
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

    @Override
    public long bytesSent() {
        return bytesSent;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == DRAIN) {
            // nginx's ngx_close_idle_connections: only a keep-alive connection waiting for its next
            // request goes; one that has not sent a request yet may still send it (it is answered
            // with Connection: close) until worker_shutdown_timeout or client_header_timeout
            if (current == null && queued.isEmpty() && !partialRequest && connection != null && connection.requests() > 0) {
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
                body(current, c);
                return;
            }
            if (current != null && queued.isEmpty() && current.bodyComplete() && msg instanceof LastHttpContent l
                && !l.content().isReadable()) {
                // the empty end marker the decoder adds after a request without body
                l.release();
                return;
            }
            queued.add(obj);
            return;
        }
        handle(obj);
    }

    private void body(Exchange ex, HttpContent c) {
        awaitingBody = false;
        if (c.decoderResult().isFailure()) {
            c.release();
            badBody(c.decoderResult());
            return;
        }
        long max = ex.settings().get(HttpModule.CLIENT_MAX_BODY_SIZE);
        int n = c.content().readableBytes();
        if (!discarding && !ex.responseDone() && max > 0 && ex.bodyBytesReceived() + n > max) {
            // a chunked body has no Content-Length to check up front: it is counted as it arrives
            // (a body the answer did not need is dropped unchecked, as nginx discards it)
            c.release();
            bodyTooLarge(ex, n);
            return;
        }
        ex.deliverBody(c);
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
        // Keep one read pending while a request without (more) body is being answered: the next
        // request (or the client's close) is seen at once, and the socket's read interest is not
        // switched off and on for every request (two epoll_ctl calls each). At most one pipelined
        // request gets queued this way: no read is asked for while one waits.
        Exchange ex = current;
        if (ex != null && state == State.IN_REQUEST && queued.isEmpty() && ex.bodyComplete()) {
            ctx.read();
        }
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
        use(LoopConnections.Use.BUSY);
        // a pipelined request waiting in the queue starts now; one read from the socket started at its first byte
        long startNanos = partialRequest ? requestStartNanos : System.nanoTime();
        partialRequest = false;
        discarding = false;
        awaitingBody = false;
        connection.countRequest();
        RequestHead head = RequestHead.parse(req, connection, defaults);
        boolean hasBody = HttpUtil.isTransferEncodingChunked(req) || HttpUtil.getContentLength(req, 0L) > 0
            || req.decoderResult().isFailure();
        boolean keepAlive = head.error() == 0 && HttpUtil.isKeepAlive(req) && !runtime.draining();
        Exchange ex = new Exchange(snap, connection, this, req, head.rawTarget(), head.path(), head.args(), hasBody, keepAlive,
            startNanos);
        current = ex;
        snap.usage().enter();
        ex.server(head.server() != null ? head.server() : connection.address().servers().defaultServer());
        ex.host(head.host());
        if (head.serverMatch() != null) {
            ex.captures(head.serverMatch());
        }
        bodyTimeout = -1;
        if (hasBody && !req.decoderResult().isFailure()) {
            bodyTimeout = ex.settings().get(HttpModule.CLIENT_BODY_TIMEOUT);
            armTimer(bodyTimeout);
        }
        if (head.error() != 0) {
            ex.location(ex.server().root());
            ex.closeAfterResponse();
            if (ErrorLog.get().enabled(LogLevel.INFO)) {
                // as nginx, with the request line as received, but escaped: it may hold any byte
                ErrorLog.get().log(LogLevel.INFO, connection.id(), head.reason() + ", client: " + connection.remoteHost()
                    + ", server: " + ex.server().primaryName() + ", request: \"" + ErrorLog.requestLine(ex) + "\"");
            }
            ex.sendBuiltinPage(head.error(), null);
            return;
        }
        if (connection.plainHttpOnTlsPort()) {
            // nginx reads the request, then answers it with 497 (a 400 page unless error_page redirects it)
            ex.location(ex.server().root());
            ErrorLog.get().log(LogLevel.INFO, connection.id(), "client sent plain HTTP request to HTTPS port"
                + ErrorLog.context(ex));
            ex.sendError(497);
            return;
        }
        try {
            if (connection.address().listen().ssl() && refused(ex, HttpConf.of(snap).security())) {
                return;
            }
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

    /** nginx's checks of a request on a TLS connection (421, 495, 496): answered here when one fails. */
    private boolean refused(Exchange ex, ConnectionSecurity security) {
        ConnectionSecurity.Refusal r = security == null ? null : security.refusal(ex);
        if (r == null) {
            return false;
        }
        ex.server(r.server());
        ex.location(ex.server().root());
        ErrorLog.of(ex).log(LogLevel.INFO, connection.id(), r.reason() + ErrorLog.context(ex));
        ex.sendError(r.status());
        return true;
    }

    /**
     * A reload happened since this connection's last request: requests in flight kept their
     * snapshot, the next one on a keep-alive connection is served by the new configuration.
     */
    private boolean rebind(Snapshot snap) {
        ListenerConf l = HttpConf.of(snap).listeners().get(listener.key());
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
        ErrorLog.of(ex).log(LogLevel.INFO, connection.id(), "client sent invalid chunked body: " + r.cause().getMessage()
            + ", client: " + connection.remoteHost());
        ex.failBody(r.cause());
        if (!ex.responseStarted()) {
            ex.closeAfterResponse();
            ex.sendBuiltinPage(400, null);
        } else {
            ex.abort();
        }
    }

    private void bodyTooLarge(Exchange ex, int more) {
        ErrorLog.of(ex).log(LogLevel.ERROR, connection.id(), "client intended to send too large chunked body: "
            + ex.bodyBytesReceived() + "+" + more + " bytes, client: " + connection.remoteHost()
            + ", server: " + ex.server().primaryName() + ", request: \"" + ErrorLog.requestLine(ex) + "\"");
        ex.failBody(new TooLongFrameException("client_max_body_size"));
        if (!ex.responseStarted()) {
            ex.closeAfterResponse();
            ex.sendError(413);
        } else {
            ex.abort();
        }
    }

    /** An exchange asks for more of its body. */
    @Override
    public void readBody() {
        if (!awaitingBody) {
            awaitingBody = true;
            // client_body_timeout counts from when we ask, not from a pause we caused (backpressure)
            lastRead = Math.max(lastRead, System.nanoTime());
            Exchange ex = current;
            if (ex != null && !ex.bodyComplete()) {
                // the timer was armed with the server's value before the location was known;
                // nginx reads the body with the location's client_body_timeout
                long t = ex.settings().get(HttpModule.CLIENT_BODY_TIMEOUT);
                if (t != bodyTimeout) {
                    bodyTimeout = t;
                    armTimer(t);
                }
            }
        }
        ctx.read();
    }

    // ---- ClientSide: what an exchange asks of its HTTP/1.x connection ----

    @Override
    public io.netty.channel.EventLoop eventLoop() {
        return ctx.channel().eventLoop();
    }

    @Override
    public io.netty.buffer.ByteBufAllocator alloc() {
        return ctx.alloc();
    }

    @Override
    public void sendContinue() {
        ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, io.netty.handler.codec.http.HttpResponseStatus.CONTINUE));
    }

    /**
     * HTTP/1 framing of a filtered head: the HTTP/1.1 status line, whether the connection stays
     * open (the location's keep-alive limits), Content-Length or chunked (a client without chunked
     * support gets the body until the connection closes), no body for HEAD, 204, 304 and 1xx, the
     * Connection header (plus Keep-Alive when the second {@code keepalive_timeout} parameter is
     * set), canonical names in nginx's order.
     */
    @Override
    public ChannelFuture writeHead(Exchange ex, HttpResponse head) {
        HttpHeaders h = head.headers();
        // nginx's status line is HTTP/1.1 whatever the request's version
        head.setProtocolVersion(HttpVersion.HTTP_1_1);
        // a graceful stop that began while this request ran also closes the connection
        if (ex.keepAlive()) {
            Settings s = settingsOf(ex);
            // ngx_http_update_location_config: the location found decides whether the connection may stay open
            if (s.get(HttpModule.KEEPALIVE_TIMEOUT) == 0
                || connection.requests() >= s.get(HttpModule.KEEPALIVE_REQUESTS)
                || System.nanoTime() - startNanos > TimeUnit.MILLISECONDS.toNanos(s.get(HttpModule.KEEPALIVE_TIME))
                || runtime.draining()) {
                ex.closeAfterResponse();
            }
        }
        int status = ex.status();
        boolean noBody = ex.isHead() || status == 204 || status == 304 || status < 200;
        boolean chunked = HttpUtil.isTransferEncodingChunked(head);
        if (chunked && (!ex.isHttp11() || noBody)) {
            // RFC 9112 section 6.1: no chunked coding towards an HTTP/1.0 client; a HEAD answer carries no chunks
            h.remove(HttpHeaderNames.TRANSFER_ENCODING);
            chunked = false;
        }
        if (!noBody && !chunked && !h.contains(HttpHeaderNames.CONTENT_LENGTH)) {
            if (ex.isHttp11()) {
                h.set(ResponseHeaderOrder.TRANSFER_ENCODING, io.netty.handler.codec.http.HttpHeaderValues.CHUNKED);
            } else {
                ex.closeAfterResponse();
            }
        }
        if (ex.awaitingContinue()) {
            // the client may still be waiting to send a body nobody asked for: do not reuse the connection
            ex.closeAfterResponse();
        }
        connectionHeaders(ex, head);
        // the encoder (OrderedResponseEncoder) writes the lines in nginx's order
        // the encoder turns a head into its bytes at once: measure them as they go by
        long contentBytes = head instanceof HttpContent c ? c.content().readableBytes() : 0;
        long before = bytesWritten();
        ChannelFuture f = ctx.write(head);
        ex.headerBytes(Math.max(0, bytesWritten() - before - contentBytes));
        wrote(ex);
        return f;
    }

    @Override
    public ChannelFuture write(Exchange ex, Object content, boolean flush) {
        if (content instanceof io.netty.handler.stream.ChunkedInput<?>) {
            ensureChunkedWriter();
        }
        limitRate(ex);
        ChannelFuture f = flush ? ctx.writeAndFlush(content) : ctx.write(content);
        wrote(ex);
        return f;
    }

    /** Netty's chunked writer pulls file chunks as the socket takes them; it joins the pipeline the first time one is written. */
    private void ensureChunkedWriter() {
        io.netty.channel.ChannelPipeline p = ctx.pipeline();
        if (p.get(io.netty.handler.stream.ChunkedWriteHandler.class) == null) {
            p.addBefore(ctx.name(), "chunkedWriter", new io.netty.handler.stream.ChunkedWriteHandler());
        }
    }

    @Override
    public ChannelFuture end(Exchange ex, LastHttpContent last) {
        limitRate(ex);
        ChannelFuture f = ctx.writeAndFlush(last);
        wrote(ex);
        f.addListener(fut -> {
            stopLimitingRate();
            responseComplete(ex, fut.isSuccess());
        });
        return f;
    }

    /**
     * {@code limit_rate}: once {@code limit_rate_after} bytes of the body are out, the response
     * goes through Netty's traffic shaper at the request's rate (timers, no busy loop); it leaves
     * when the response ends, so the next request on the connection has its own rate. The rate
     * is the request's ({@code $limit_rate}, {@code X-Accel-Limit-Rate}) or the location's.
     */
    private void limitRate(Exchange ex) {
        if (rateShaper != null) {
            return;
        }
        Settings s = settingsOf(ex);
        LimitRate limit = ex.limitRate();
        long rate = limit.rate(ex, s);
        if (rate <= 0 || ex.bodyBytesSent() < limit.after(ex, s)) {
            return;
        }
        rateShaper = new io.netty.handler.traffic.ChannelTrafficShapingHandler(rate, 0, 100);
        ctx.pipeline().addBefore("encoder", "limit-rate", rateShaper);
    }

    private void stopLimitingRate() {
        if (rateShaper != null) {
            if (ctx.pipeline().context(rateShaper) != null) {
                ctx.pipeline().remove(rateShaper);
            }
            rateShaper = null;
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
        return ctx.channel().isWritable();
    }

    @Override
    public long pendingBytes() {
        ChannelOutboundBuffer b = ctx.channel().unsafe().outboundBuffer();
        // bytes the rate shaper holds back are pending too, or read-ahead would not be bounded
        return (b == null ? 0 : b.totalPendingWriteBytes()) + (rateShaper == null ? 0 : rateShaper.queueSize());
    }

    @Override
    public boolean isActive() {
        return ctx.channel().isActive();
    }

    @Override
    public io.netty.channel.Channel tunnelChannel() {
        return ctx.channel();
    }

    @Override
    public boolean takesFileRegions() {
        return !connection.isSecure();
    }

    /** The Connection header (and Keep-Alive: timeout=N when configured), once framing is decided. */
    private void connectionHeaders(Exchange ex, HttpResponse head) {
        HttpHeaders h = head.headers();
        h.remove(HttpHeaderNames.KEEP_ALIVE);
        if (ex.status() == 101) {
            h.set(ResponseHeaderOrder.CONNECTION, "upgrade");
            return;
        }
        h.set(ResponseHeaderOrder.CONNECTION, ex.keepAlive() ? "keep-alive" : "close");
        if (ex.keepAlive()) {
            long header = settingsOf(ex).get(HttpModule.KEEPALIVE_HEADER_TIMEOUT);
            if (header > 0) {
                h.set(ResponseHeaderOrder.KEEP_ALIVE, "timeout=" + header);
            }
        }
    }

    private Settings settingsOf(Exchange ex) {
        return ex.location() != null ? ex.settings() : ex.server() != null ? ex.server().settings() : defaults;
    }


    /** The response's last write completed (or failed). */
    void responseComplete(Exchange ex, boolean success) {
        if (ex != current) {
            return;
        }
        if (!success || !ex.keepAlive() || !ctx.channel().isActive()) {
            finishExchange(ex);
            if (success && ctx.channel().isActive() && lingers(ex)) {
                linger(ex);
            } else {
                close();
            }
            return;
        }
        if (!ex.bodyComplete()) {
            // read and drop the rest of the body before the next request, as nginx does
            discarding = true;
            ex.bodyHandler(c -> {
                c.release();
                if (c instanceof LastHttpContent) {
                    ctx.executor().execute(() -> nextRequest(ex));
                } else {
                    readBody();
                }
            });
            if (!ex.bodyComplete()) {
                readBody();
            }
            return;
        }
        nextRequest(ex);
    }

    /**
     * ngx_http_finalize_connection: with {@code lingering_close on}, a connection is lingered on
     * when the client may still be sending (a body not read to its end, pipelined bytes);
     * {@code always} lingers on every close after a response, {@code off} never.
     */
    private boolean lingers(Exchange ex) {
        String mode = settingsOf(ex).get(HttpModule.LINGERING_CLOSE);
        return switch (mode) {
            case "always" -> true;
            case "on" -> !ex.bodyFullyRead() || !queued.isEmpty() || partialRequest;
            default -> false;
        };
    }

    /** Stops serving requests and hands the connection to {@link LingeringClose}. */
    private void linger(Exchange ex) {
        Settings s = settingsOf(ex);
        state = State.CLOSING;
        stopTimer();
        cancelSendCheck();
        releaseQueued();
        use(LoopConnections.Use.LINGERING);
        LingeringClose.start(ctx.channel(), s.get(HttpModule.LINGERING_TIME), s.get(HttpModule.LINGERING_TIMEOUT));
    }

    private void nextRequest(Exchange ex) {
        if (current != ex || state == State.CLOSING) {
            return;
        }
        finishExchange(ex);
        state = State.WAIT_REQUEST;
        discarding = false;
        awaitingBody = false;
        Settings s = ex.settings();
        while (!queued.isEmpty() && current == null) {
            HttpObject next = queued.poll();
            if (next instanceof HttpRequest) {
                handle(next);
                // body pieces that came with it go to the new exchange
                while (current != null && !queued.isEmpty() && queued.peek() instanceof HttpContent && !current.bodyComplete()) {
                    body(current, (HttpContent) queued.poll());
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
            if (!partialRequest) {
                // keepalive_timeout runs from the end of the response
                lastRead = System.nanoTime();
                armTimer(s.get(HttpModule.KEEPALIVE_TIMEOUT));
            }
            use(partialRequest ? LoopConnections.Use.PARTIAL_HEAD : LoopConnections.Use.KEEPALIVE);
            ctx.read();
        }
    }

    private void finishExchange(Exchange ex) {
        if (current == ex) {
            current = null;
            ended(ex);
        }
    }

    /**
     * After a 101 the HTTP handlers leave the pipeline (any TLS handler stays) and {@code tunnel}
     * takes the bytes; bytes the decoder already held go to it. The exchange is ended by the tunnel.
     */
    @Override
    public void switchProtocols(Exchange ex, io.netty.channel.ChannelHandler tunnel) {
        if (current == ex) {
            current = null;
        }
        state = State.CLOSING;
        use(LoopConnections.Use.BUSY);
        stopTimer();
        cancelSendCheck();
        releaseQueued();
        io.netty.channel.ChannelPipeline p = ctx.pipeline();
        p.addLast("tunnel", tunnel);
        p.remove(this);
        for (String name : new String[] {"encoder", "activity", "decoder"}) {
            if (p.get(name) != null) {
                p.remove(name);
            }
        }
    }

    static void ended(Exchange ex) {
        // post_action: the request goes on, unseen by the client, and is logged once the action is over
        if (!PostAction.start(ex, () -> afterResponse(ex))) {
            afterResponse(ex);
        }
    }

    private static void afterResponse(Exchange ex) {
        try {
            ex.pipeline().fireEnd(ex);
        } finally {
            try {
                ex.runEndActions();
            } finally {
                ex.snapshot().usage().exit();
            }
        }
    }

    @Override
    public void abort(Exchange ex) {
        close();
    }

    private void close() {
        if (state != State.CLOSING) {
            state = State.CLOSING;
            stopTimer();
            cancelSendCheck();
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
        stopTimer();
        cancelSendCheck();
        releaseQueued();
        Exchange ex = current;
        if (ex != null) {
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

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable tls = tlsCause(cause);
        if (tls != null) {
            // a client's TLS trouble is the client's: info, as nginx logs failed handshakes
            io.netty.handler.ssl.SslHandler h = ctx.pipeline().get(io.netty.handler.ssl.SslHandler.class);
            boolean handshaking = h == null || !h.handshakeFuture().isSuccess();
            ErrorLog.get().log(LogLevel.INFO, connection == null ? 0 : connection.id(),
                (handshaking ? "SSL_do_handshake() failed (" : "SSL_read() failed (") + tls.getMessage() + ") while "
                    + (handshaking ? "SSL handshaking" : "reading client request") + ", client: "
                    + (connection == null ? "" : connection.remoteHost()) + ", server: " + listener.socket().addrText());
            ctx.close();
            return;
        }
        if (cause instanceof TooLongFrameException) {
            ErrorLog.get().log(LogLevel.INFO, connection == null ? 0 : connection.id(), cause.getMessage());
        } else if (!(cause instanceof java.io.IOException)) {
            ErrorLog.get().log(LogLevel.ERROR, connection == null ? 0 : connection.id(), "connection error: " + cause);
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

    // ---- read timers: one timer whose meaning depends on the state ----

    /** client_header_timeout: the whole head must arrive within it (no reset per read: slowloris). */
    private void armHeaderTimer() {
        timer.arm(defaults.get(HttpModule.CLIENT_HEADER_TIMEOUT), headerTimeout);
    }

    private void onHeaderTimeout() {
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
        String server = HttpModule.serverHeader(defaults);
        byte[] page = ErrorPages.page(408, server);
        DefaultFullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, ErrorPages.status(408),
            Unpooled.wrappedBuffer(page));
        r.headers().set(ResponseHeaderOrder.SERVER, server)
            .set(ResponseHeaderOrder.DATE, HttpDate.now())
            .set(ResponseHeaderOrder.CONTENT_TYPE, "text/html")
            .set(ResponseHeaderOrder.CONTENT_LENGTH, page.length)
            .set(ResponseHeaderOrder.CONNECTION, "close");
        ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
        // a client that does not read even this is dropped after send_timeout
        ctx.executor().schedule(() -> ctx.channel().close(), defaults.get(HttpModule.SEND_TIMEOUT), TimeUnit.MILLISECONDS);
    }

    /** An idle timer measured from the last bytes read (keepalive_timeout, client_body_timeout). */
    private void armTimer(long timeoutMillis) {
        if (timeoutMillis <= 0) {
            cancelTimer();
            return;
        }
        idleTimeoutMillis = timeoutMillis;
        timer.armAt(lastRead + TimeUnit.MILLISECONDS.toNanos(timeoutMillis), idleTimeout);
    }

    private void onTimer(long timeoutMillis) {
        if (state == State.CLOSING) {
            return;
        }
        Exchange ex = current;
        if (ex != null && !ex.bodyComplete() && !awaitingBody) {
            // nobody asked the client for body bytes (backpressure): not the client's delay
            lastRead = System.nanoTime();
            armTimer(timeoutMillis);
            return;
        }
        long idle = System.nanoTime() - lastRead;
        if (idle < TimeUnit.MILLISECONDS.toNanos(timeoutMillis)) {
            armTimer(timeoutMillis);
            return;
        }
        if (ex == null) {
            if (!partialRequest) {
                close();
            }
            return;
        }
        if (!ex.bodyComplete()) {
            ErrorLog.of(ex).log(LogLevel.INFO, connection.id(),
                "client timed out (110: Connection timed out) while reading client request body, client: " + connection.remoteHost());
            ex.failBody(new java.util.concurrent.TimeoutException("client_body_timeout"));
            if (!ex.responseStarted()) {
                ex.closeAfterResponse();
                ex.sendBuiltinPage(408, null);
                return;
            }
            ex.abort();
        }
    }

    /** Stops the read timer; its scheduled task stays for the next arm (a request per connection reuses it). */
    private void cancelTimer() {
        if (timer != null) {
            timer.disarm();
        }
    }

    /** Stops the read timer for good: the handler is leaving the connection (closed, or handed to another protocol). */
    private void stopTimer() {
        if (timer != null) {
            timer.cancel();
        }
    }

    // ---- send_timeout: the client must take some bytes within it while a response waits to be sent ----

    /** Something was written for the exchange: watch the output until it drains. */
    void wrote(Exchange ex) {
        if (sendCheck != null || state == State.CLOSING) {
            return;
        }
        sendTimeoutMillis = ex.settings().get(HttpModule.SEND_TIMEOUT);
        if (sendTimeoutMillis <= 0) {
            return;
        }
        sendProgressAt = System.nanoTime();
        sendSignature = -1;
        sendCheck = ctx.executor().schedule(this::checkSend, sendCheckPeriod(), TimeUnit.MILLISECONDS);
    }

    private long sendCheckPeriod() {
        return Math.max(10, Math.min(1000, sendTimeoutMillis / 4));
    }

    private void checkSend() {
        sendCheck = null;
        if (state == State.CLOSING || !ctx.channel().isActive()) {
            return;
        }
        ChannelOutboundBuffer out = ctx.channel().unsafe().outboundBuffer();
        if (out == null || out.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        long sig = progress(out);
        if (sig != sendSignature) {
            sendSignature = sig;
            sendProgressAt = now;
        } else if (now - sendProgressAt >= TimeUnit.MILLISECONDS.toNanos(sendTimeoutMillis)) {
            Exchange ex = current;
            if (ex != null && ex.sendTimedOut()) {
                return;
            }
            ErrorLog.of(ex).log(LogLevel.INFO, connection.id(),
                "client timed out (110: Connection timed out) while sending response to client, client: " + connection.remoteHost());
            if (ex != null) {
                ex.abort();
            } else {
                close();
            }
            return;
        }
        sendCheck = ctx.executor().schedule(this::checkSend, sendCheckPeriod(), TimeUnit.MILLISECONDS);
    }

    /** A number that changes whenever the kernel took bytes of the pending output. */
    private static long progress(ChannelOutboundBuffer out) {
        Object cur = out.current();
        long done;
        if (cur instanceof ByteBuf b) {
            done = b.readerIndex();
        } else if (cur instanceof FileRegion f) {
            done = f.transferred();
        } else if (cur instanceof ByteBufHolder h) {
            done = h.content().readerIndex();
        } else {
            done = 0;
        }
        return out.totalPendingWriteBytes() * 31 + System.identityHashCode(cur) * 17L + done;
    }

    private void cancelSendCheck() {
        if (sendCheck != null) {
            sendCheck.cancel(false);
            sendCheck = null;
        }
    }
}
