package dev.portico.proxy;

import dev.portico.observability.Errno;
import dev.portico.observability.LogLevel;
import dev.portico.tls.ClientCertificates;
import dev.portico.tls.ClientTls;
import dev.portico.upstream.Connector;
import dev.portico.upstream.KeepalivePool;
import dev.portico.upstream.Peer;
import dev.portico.upstream.UpstreamConnection;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;

/**
 * One try of a request on one backend connection (pooled or new): send the request head and
 * body, read the response head, then feed the body to the {@link ResponseRelay}. Failures are
 * reported to the {@link ProxyCall}, which decides between another try, an error page and
 * closing the client connection.
 */
final class Attempt implements UpstreamConnection.Listener {
    /** How an attempt failed, for the retry decision and the status (nginx's NGX_HTTP_UPSTREAM_FT_*). */
    enum Failure { ERROR, TIMEOUT, INVALID_HEADER }

    final ProxyCall call;
    final Peer peer;
    final UpstreamState state;
    private UpstreamConnection conn;
    private boolean reused;
    /** A new TLS connection whose handshake is under way: no request on it yet. */
    private boolean handshaking;
    private boolean requestStarted;
    private boolean requestSent;
    private boolean sentConnectionClose;
    private HttpResponse head;
    private boolean upstreamKeepsConnection;
    private boolean skippingInterim;
    private boolean lastReceived;
    private boolean over;
    private long bytesInAtStart;
    private long bytesOutAtStart;
    private ResponseRelay relay;
    private Runnable onWritable;

    private final ChannelFutureListener sentListener = f -> {
        if (f.isSuccess()) {
            requestFullySent();
        }
    };
    private final ChannelFutureListener progressListener = f -> {
        if (f.isSuccess() && !requestSent && !over) {
            armSend();
        }
    };

    Attempt(ProxyCall call, Peer peer, UpstreamState state) {
        this.call = call;
        this.peer = peer;
        this.state = state;
    }

    /** Takes a cached connection to the peer, or opens one. */
    void start(boolean fresh) {
        ProxyConf conf = call.conf;
        UpstreamConnection c = !fresh && call.poolKey != null ? KeepalivePool.onThisLoop(call.poolKey).acquire(peer) : null;
        if (c != null) {
            begin(c, true);
            return;
        }
        UpstreamTls tls = call.https ? conf.tls : null;
        // a certificate the request names is read once connected, as nginx reads it
        ClientCertificates.Pair named = tls == null ? null : call.clientCertificate;
        int maxHead = conf.bufferSize;
        int maxRead = (int) Math.min(256 * 1024, conf.readAhead);
        java.net.SocketAddress local = call.local == null ? null : call.local.address();
        Future<UpstreamConnection> f = Connector.connect(call.loop, peer, conf.connectTimeout, conf.socketKeepalive, maxRead,
            local, conf.bind.transparent(),
            p -> UpstreamCodec.setup(p, maxHead, tls == null || named != null ? null : tlsHandler(tls.context, p)));
        f.addListener(done -> {
            if (done.isSuccess()) {
                UpstreamConnection made = f.getNow();
                if (over) {
                    made.close();
                    return;
                }
                if (named != null) {
                    withCertificate(made, tls, named);
                } else if (tls != null) {
                    handshake(made, tls);
                } else {
                    begin(made, false);
                }
            } else if (!over) {
                Throwable cause = done.cause();
                if (call.local != null && localFailure(cause)) {
                    return;
                }
                boolean timeout = cause instanceof io.netty.channel.ConnectTimeoutException;
                String msg = timeout ? "upstream timed out (110: Connection timed out)"
                    : peer.name().startsWith("unix:") ? "connect() to " + peer.name() + " failed (" + Errno.of(cause) + ")"
                    : "connect() failed (" + Errno.of(cause) + ")";
                fail(timeout ? Failure.TIMEOUT : Failure.ERROR, msg, ProxyLog.CONNECTING);
            }
        });
    }

    /**
     * nginx's ngx_event_connect_peer fails before connecting when IP_TRANSPARENT or bind() is
     * refused: logged (alert, crit) and answered 500, no other server tried.
     */
    private boolean localFailure(Throwable cause) {
        String m = String.valueOf(cause.getMessage());
        String line;
        LogLevel level;
        if (cause instanceof Connector.TransparentRefused) {
            level = LogLevel.ALERT;
            line = "setsockopt(IP_TRANSPARENT) failed (" + Errno.of(cause.getCause()) + ")";
        } else if (cause instanceof java.net.BindException || m.startsWith("bind(")) {
            level = LogLevel.CRIT;
            line = "bind(" + call.local.text() + ") failed (" + Errno.of(cause) + ")";
        } else {
            return false;
        }
        over = true;
        state.status = 500;
        state.finished();
        ProxyLog.log(level, call.ex, line, ProxyLog.CONNECTING, call.scheme() + peer.name() + call.uri);
        call.attemptDone(this, false);
        call.failBeforeUpstream(500);
        return true;
    }

    /**
     * The TLS handler of a new connection: SNI as the call names the backend, sessions kept per
     * peer and SNI (unless {@code proxy_ssl_session_reuse off}), and {@code proxy_connect_timeout}
     * for the handshake, as nginx gives it.
     */
    private SslHandler tlsHandler(ClientTls context, io.netty.channel.ChannelPipeline p) {
        String sessionKey = call.conf.tls.sessionReuse ? "/" + peer.name() + "/" + (call.sni == null ? "" : call.sni) : null;
        int port = peer.address() instanceof InetSocketAddress a ? a.getPort() : 0;
        return context.newHandler(p.channel().alloc(), sessionKey, port, call.sni, call.conf.connectTimeout);
    }

    /**
     * A new connection whose client certificate the request names: the context presenting it
     * comes from a loader thread (or its cache), then the TLS handler joins the pipeline and the
     * handshake starts. A certificate that cannot be read ends the request with 500, as in nginx.
     */
    private void withCertificate(UpstreamConnection c, UpstreamTls tls, ClientCertificates.Pair named) {
        conn = c;
        // a close meanwhile is a failed handshake, to retry as one
        handshaking = true;
        c.listener(this);
        // files that never come (a hung mount) take proxy_connect_timeout, like a connect that never completes
        java.util.concurrent.ScheduledFuture<?> timer = call.loop.schedule(
            () -> fail(Failure.TIMEOUT, "upstream timed out (110: Connection timed out)", ProxyLog.CONNECTING),
            Math.max(1, call.conf.connectTimeout), java.util.concurrent.TimeUnit.MILLISECONDS);
        tls.certificates.lookup(named, call.loop).addListener(loaded -> {
            timer.cancel(false);
            if (over) {
                return;
            }
            if (!loaded.isSuccess()) {
                certificateFailed(loaded.cause());
                return;
            }
            io.netty.channel.ChannelPipeline p = c.channel().pipeline();
            p.addBefore("encoder", "tls", tlsHandler((ClientTls) loaded.getNow(), p));
            handshake(c, tls);
        });
    }

    private void certificateFailed(Throwable cause) {
        String message = cause.getMessage() == null ? cause.toString() : cause.getMessage();
        over = true;
        state.finished();
        closeConnection();
        call.attemptDone(this, false);
        ProxyLog.log(LogLevel.ERROR, call.ex, message, ProxyLog.CONNECTING, upstreamUri());
        call.failBeforeUpstream(500);
    }

    /**
     * A new TLS connection: the request waits for the handshake, as in nginx, so that a backend
     * whose certificate fails the checks never sees it. With {@code proxy_ssl_verify on} the
     * certificate's chain was checked during the handshake; its name is checked here.
     */
    private void handshake(UpstreamConnection c, UpstreamTls tls) {
        conn = c;
        handshaking = true;
        // bytes from the backend now belong to this attempt (the handshake), not to an idle connection
        c.listener(this);
        SslHandler h = c.channel().pipeline().get(SslHandler.class);
        h.handshakeFuture().addListener(done -> {
            if (over) {
                return;
            }
            handshaking = false;
            if (!done.isSuccess()) {
                handshakeFailed(done.cause());
            } else if (tls.context.verify() && !ClientTls.matches(h.engine().getSession(), call.sslName)) {
                fail(Failure.ERROR, "upstream SSL certificate does not match \"" + call.sslName + "\"", ProxyLog.SSL_HANDSHAKING);
            } else {
                begin(c, false);
            }
        });
        // auto-read is off: the handshake needs the backend's answers
        c.channel().read();
    }

    private void handshakeFailed(Throwable cause) {
        if (ClientTls.timedOut(cause)) {
            fail(Failure.TIMEOUT, "upstream timed out (110: Connection timed out)", ProxyLog.SSL_HANDSHAKING);
        } else {
            fail(Failure.ERROR, ClientTls.failure(cause), ProxyLog.SSL_HANDSHAKING);
        }
    }

    private void begin(UpstreamConnection c, boolean fromPool) {
        conn = c;
        reused = fromPool;
        state.connected();
        c.listener(this);
        c.countRequest();
        bytesInAtStart = c.bytesIn();
        bytesOutAtStart = c.bytesOut();
        HttpMethod method = call.method;
        boolean head = method.equals(HttpMethod.HEAD);
        UpstreamCodec.ResponseDecoder decoder = UpstreamCodec.decoder(c);
        decoder.headRequest = head;
        decoder.heads.arm(head);
        HttpRequest req = RequestBuilder.build(call.ex, call.conf, method, call.uri, call.bodyLength);
        call.upgradeRequested = req.protocolVersion().equals(HttpVersion.HTTP_1_1)
            && req.headers().contains(HttpHeaderNames.UPGRADE) && call.ex.requestHeaders().contains(HttpHeaderNames.UPGRADE);
        String connection = req.headers().get(HttpHeaderNames.CONNECTION);
        sentConnectionClose = connection != null && io.netty.util.AsciiString.containsIgnoreCase(connection, "close")
            || req.protocolVersion().equals(HttpVersion.HTTP_1_0);
        Channel ch = c.channel();
        armSend();
        requestStarted = true;
        ch.write(req, ch.voidPromise());
        call.sendBody(this);
        ch.read();
    }

    // ---- sending ----

    /** Writes a piece of the request body; flushes. */
    void writeBody(HttpContent piece) {
        if (over) {
            piece.release();
            return;
        }
        Channel ch = conn.channel();
        if (piece instanceof LastHttpContent) {
            ch.writeAndFlush(piece).addListener(sentListener);
        } else {
            ch.writeAndFlush(piece).addListener(progressListener);
        }
    }

    /** The whole body in one buffer (kept by the caller for other attempts). */
    void writeWholeBody(ByteBuf body) {
        writeBody(body == null ? new DefaultLastHttpContent() : new DefaultLastHttpContent(body.retainedDuplicate()));
    }

    void writePiece(ByteBuf data) {
        writeBody(new DefaultHttpContent(data));
    }

    boolean writable() {
        return conn != null && conn.channel().isWritable();
    }

    /** Runs {@code r} once the connection can take writes again. */
    void whenWritable(Runnable r) {
        if (writable()) {
            r.run();
        } else {
            onWritable = r;
        }
    }

    @Override
    public void onWritable() {
        Runnable r = onWritable;
        onWritable = null;
        if (r != null && !over) {
            r.run();
        }
    }

    private void requestFullySent() {
        if (over) {
            return;
        }
        requestSent = true;
        if (relay == null || !relay.paused()) {
            armRead();
        }
    }

    boolean requestStarted() {
        return requestStarted;
    }

    /** True when the backend sent anything on this connection during this attempt. */
    boolean anyResponseByte() {
        return conn != null && conn.bytesIn() > bytesInAtStart;
    }

    boolean reused() {
        return reused;
    }

    // ---- receiving ----

    @Override
    public void onMessage(Object msg) {
        try {
            message(msg);
        } catch (RuntimeException | StackOverflowError e) {
            internalError(e);
        }
    }

    /** A bug of ours, not the backend's: said so in the log, and the exchange ends cleanly (500 or a close). */
    private void internalError(Throwable e) {
        dev.portico.observability.ErrorLog.get().log(LogLevel.ALERT, call.ex.connection().id(),
            "proxying failed: " + stackTrace(e));
        if (!over) {
            over = true;
            state.finished();
            closeConnection();
            call.attemptDone(this, false);
        }
        call.internalError();
    }

    private static String stackTrace(Throwable e) {
        java.io.StringWriter w = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(w));
        return w.toString();
    }

    private void message(Object msg) {
        if (over || handshaking) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpResponse r) {
            onHead(r);
            return;
        }
        if (!(msg instanceof HttpContent c)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (skippingInterim) {
            if (c instanceof LastHttpContent) {
                skippingInterim = false;
            }
            c.release();
            return;
        }
        if (c.decoderResult().isFailure()) {
            c.release();
            String msgText = c.decoderResult().cause() instanceof io.netty.handler.codec.http.InvalidChunkTerminationException
                || head != null && io.netty.handler.codec.http.HttpUtil.isTransferEncodingChunked(head)
                ? "upstream sent invalid chunked response" : "upstream sent invalid response";
            bodyFailed(msgText, ProxyLog.READING);
            return;
        }
        state.responseLength += c.content().readableBytes();
        if (c instanceof LastHttpContent last) {
            lastReceived = true;
            call.states.lastTrailers = last.trailingHeaders().isEmpty() ? null : last.trailingHeaders().copy();
            ResponseRelay r = relay;
            complete();
            if (r != null) {
                r.onLast(last);
            } else {
                last.release();
            }
            return;
        }
        if (relay != null) {
            relay.onContent(c);
        } else {
            c.release();
        }
    }

    private void onHead(HttpResponse r) {
        if (r.decoderResult().isFailure()) {
            Throwable cause = r.decoderResult().cause();
            ReferenceCountUtil.release(r);
            String text;
            if (cause instanceof io.netty.handler.codec.PrematureChannelClosureException) {
                // the connection closed before a whole head arrived: reported by onClosed
                return;
            } else if (cause instanceof io.netty.handler.codec.TooLongFrameException) {
                text = "upstream sent too big header";
            } else if (cause instanceof io.netty.handler.codec.http.ContentLengthNotAllowedException) {
                text = "upstream sent \"Content-Length\" and \"Transfer-Encoding\" headers at the same time";
            } else if (cause != null && String.valueOf(cause.getMessage()).contains("Multiple Content-Length")) {
                text = "upstream sent duplicate header line: \"Content-Length\"";
            } else if (!anyStatusLine(cause)) {
                text = "upstream sent no valid HTTP/1.0 header";
            } else {
                text = "upstream sent invalid header";
            }
            fail(Failure.INVALID_HEADER, text, ProxyLog.READING_HEADER);
            return;
        }
        int code = r.status().code();
        if (code < 200 && code != 101) {
            // interim responses (100, 103) are not passed on
            skippingInterim = true;
            return;
        }
        if (head != null) {
            fail(Failure.INVALID_HEADER, "upstream sent more data than expected", ProxyLog.READING);
            return;
        }
        String te = r.headers().get(HttpHeaderNames.TRANSFER_ENCODING);
        if (te != null && !te.trim().equalsIgnoreCase("chunked")) {
            // Portico re-frames bodies; any other coding would reach the client undecoded
            fail(Failure.INVALID_HEADER, "upstream sent unknown \"Transfer-Encoding\": \"" + te + "\"",
                ProxyLog.READING_HEADER);
            return;
        }
        if (code == 101 && call.upgradeRequested && conn.channel().eventLoop() == call.ex.eventLoop()) {
            // nginx: a 101 to a request that asked for an upgrade makes the connection a tunnel
            over = true;
            head = r;
            state.status = code;
            state.headerReceived();
            conn.timer().cancel();
            call.states.lastHeaders = r.headers();
            call.startTunnel(this, conn, r);
            return;
        }
        if (code == 101) {
            fail(Failure.INVALID_HEADER, "upstream sent \"101 Switching Protocols\", which is not supported here",
                ProxyLog.READING_HEADER);
            return;
        }
        head = r;
        // decided before the head is edited for the client (its Connection field goes)
        upstreamKeepsConnection = r.protocolVersion().equals(HttpVersion.HTTP_1_1) && !connectionClose(r);
        state.status = code;
        state.headerReceived();
        call.states.lastHeaders = r.headers();
        relay = call.onResponseHead(this, r);
        if (relay == null && !over) {
            // the response was handed to an error page or an internal redirect: drop the rest
            abandon();
        }
    }

    private static boolean anyStatusLine(Throwable cause) {
        String m = cause == null || cause.getMessage() == null ? "" : cause.getMessage();
        return !(m.contains("version") || m.contains("initial line") || cause instanceof NumberFormatException);
    }

    @Override
    public void onReadComplete() {
        if (over) {
            return;
        }
        try {
            if (relay != null) {
                relay.upstreamReadComplete();
            } else {
                conn.channel().read();
            }
        } catch (RuntimeException | StackOverflowError e) {
            internalError(e);
        }
    }

    /** Asks for the next piece of the response (the relay calls this when the client can take more). */
    void readMore() {
        readMore(-1);
    }

    /** As {@link #readMore()}, taking at most {@code maxBytes} in this read (a rate limit's allowance; -1: no cap). */
    void readMore(long maxBytes) {
        if (over || lastReceived) {
            return;
        }
        conn.capNextRead(maxBytes);
        armRead();
        conn.channel().read();
    }

    /** Raw bytes read from the backend on this attempt's connection so far. */
    long bytesIn() {
        return conn == null ? 0 : conn.bytesIn();
    }

    /** Stops the read timeout while the relay waits for the client. */
    void pauseReading() {
        if (conn != null && requestSent) {
            conn.timer().disarm();
        }
    }

    @Override
    public void onClosed(Throwable cause) {
        if (over) {
            return;
        }
        if (handshaking) {
            SslHandler h = conn.channel().pipeline().get(SslHandler.class);
            Throwable why = h != null && h.handshakeFuture().isDone() && h.handshakeFuture().cause() != null
                ? h.handshakeFuture().cause() : cause;
            handshakeFailed(why);
            return;
        }
        if (cause instanceof HeadValidator.InvalidHeaderException) {
            fail(Failure.INVALID_HEADER, cause.getMessage(), ProxyLog.READING_HEADER);
            return;
        }
        // on TLS a failure is the library's, worded as nginx words OpenSSL's (an alert from the backend, say)
        String ssl = ClientTls.sslError(cause);
        String read = ssl != null ? "SSL_read() failed (SSL: " + ssl + ")" : "recv() failed (" + Errno.of(cause) + ")";
        if (head == null) {
            if (cause == null) {
                fail(Failure.ERROR, "upstream prematurely closed connection", ProxyLog.READING_HEADER);
            } else if (!requestSent) {
                fail(Failure.ERROR, ssl != null ? "SSL_write() failed (SSL: " + ssl + ")" : "writev() failed (" + Errno.of(cause) + ")",
                    ProxyLog.SENDING);
            } else {
                fail(Failure.ERROR, read, ProxyLog.READING_HEADER);
            }
        } else if (!lastReceived) {
            bodyFailed(cause == null ? "upstream prematurely closed connection" : read, ProxyLog.READING);
        }
    }

    // ---- timers ----

    private void armSend() {
        conn.timer().arm(call.conf.sendTimeout, this::sendTimedOut);
    }

    private void armRead() {
        conn.timer().arm(call.conf.readTimeout, this::readTimedOut);
    }

    private void sendTimedOut() {
        if (over || requestSent) {
            return;
        }
        if (head == null) {
            fail(Failure.TIMEOUT, "upstream timed out (110: Connection timed out)", ProxyLog.SENDING);
        } else {
            bodyFailed("upstream timed out (110: Connection timed out)", ProxyLog.SENDING);
        }
    }

    private void readTimedOut() {
        if (over) {
            return;
        }
        if (head == null) {
            fail(Failure.TIMEOUT, "upstream timed out (110: Connection timed out)", ProxyLog.READING_HEADER);
        } else {
            bodyFailed("upstream timed out (110: Connection timed out)", ProxyLog.READING);
        }
    }

    // ---- endings ----

    private static boolean connectionClose(HttpResponse r) {
        String c = r.headers().get(HttpHeaderNames.CONNECTION);
        return c != null && c.toLowerCase(java.util.Locale.ROOT).contains("close");
    }

    /** The response was read completely: the connection goes back to the cache when it may. */
    private void complete() {
        over = true;
        state.finished();
        countBytes();
        UpstreamConnection c = conn;
        c.timer().disarm();
        boolean reusable = call.poolKey != null && requestSent && head != null && upstreamKeepsConnection
            && !sentConnectionClose;
        if (upstreamKeepsConnection && c.bytesBeyondResponse() > 0) {
            // the pool refuses it too; said here, where the request is known
            String what = io.netty.handler.codec.http.HttpUtil.isTransferEncodingChunked(head)
                ? "upstream sent data after final chunk" : "upstream sent more data than specified in \"Content-Length\" header";
            ProxyLog.log(LogLevel.WARN, call.ex, what, ProxyLog.READING, upstreamUri());
        }
        c.listener(null);
        if (reusable) {
            KeepalivePool.onThisLoop(call.poolKey).offer(c, call.group.keepalive());
        } else {
            c.close();
        }
        call.attemptDone(this, false);
    }

    /** The tunnel this attempt became closed: the peer is released (the connection is never pooled). */
    void tunnelEnded() {
        state.finished();
        countBytes();
        call.attemptDone(this, false);
        call.finish();
    }

    /** A failure before the response head: the call may try again elsewhere. */
    private void fail(Failure kind, String message, String action) {
        if (over) {
            return;
        }
        over = true;
        if (state.status == 0) {
            state.status = kind == Failure.TIMEOUT ? 504 : 502;
        }
        state.finished();
        countBytes();
        closeConnection();
        call.attemptFailed(this, kind, message, action);
    }

    /** A failure after the response head: the client connection is closed, never a response that looks complete. */
    private void bodyFailed(String message, String action) {
        if (over) {
            return;
        }
        over = true;
        state.finished();
        countBytes();
        closeConnection();
        call.responseFailed(this, message, action);
    }

    /** A failure on Portico's side while sending (e.g. reading the buffered body back failed). */
    void localFailure(String message) {
        fail(Failure.ERROR, message, ProxyLog.SENDING);
    }

    /** The response head is not wanted (proxy_next_upstream on its status): the call releases the peer and moves on. */
    void dropForNextUpstream() {
        over = true;
        state.finished();
        countBytes();
        closeConnection();
    }

    /** Drops the connection without a verdict (client gone, response taken over by error_page). */
    void abandon() {
        if (over) {
            return;
        }
        over = true;
        state.finished();
        countBytes();
        closeConnection();
        call.attemptDone(this, false);
    }

    /**
     * The client left while the response was being read and {@code proxy_ignore_client_abort}
     * is on: read the rest and drop it, keeping the connection if it completes.
     */
    void drainAfterClientLeft() {
        if (relay != null) {
            relay.discard();
        }
        readMore();
    }

    private void closeConnection() {
        if (conn != null) {
            conn.timer().cancel();
            conn.close();
        }
    }

    private void countBytes() {
        if (conn != null) {
            state.bytesReceived = conn.bytesIn() - bytesInAtStart;
            state.bytesSent = conn.bytesOut() - bytesOutAtStart;
        }
    }

    boolean over() {
        return over;
    }

    String upstreamUri() {
        return call.scheme() + peer.name() + (peer.name().startsWith("unix:") ? ":" : "") + call.uri;
    }
}
