package dev.portico.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Settings;

/**
 * Netty's HTTP/2 connection handler (frames, HPACK, flow control, stream states) for one client
 * connection, with the connection's streams served right here: what the decoder reads goes to
 * an {@link Http2StreamDispatcher}, and each {@link Http2Stream} writes its response through the
 * encoder with this handler's context. No stream has a channel or a pipeline of its own.
 *
 * <p>Streams do not flush one by one: what they write in one turn of the event loop leaves
 * together ({@link #flushStreams()}).
 */
final class Http2ServerCodec extends Http2ConnectionHandler {
    private final Http2Connection conn;
    private ChannelHandlerContext ctx;
    private boolean reading;
    private boolean flushPending;
    private final Runnable flushTask = this::flushNow;

    Http2ServerCodec(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings initialSettings,
                     boolean decoupleCloseAndGoAway, Http2Connection conn) {
        super(decoder, encoder, initialSettings, decoupleCloseAndGoAway);
        this.conn = conn;
        decoder.frameListener(new Http2StreamDispatcher(conn, connection()));
    }

    /** This handler's context: the one every stream writes its frames with. */
    ChannelHandlerContext context() {
        return ctx;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        this.ctx = ctx;
        // the preface (SETTINGS) goes first
        super.handlerAdded(ctx);
        // nginx opens the connection window all the way: each stream's own window
        // (http2_body_preread_size) is what bounds the body a client may send ahead
        io.netty.handler.codec.http2.Http2Stream c = connection().connectionStream();
        int more = (int) (Http2Module.MAX_WINDOW - connection().local().flowController().windowSize(c));
        connection().local().flowController().incrementWindowSize(c, more);
        flush(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        reading = true;
        super.channelRead(ctx, msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        reading = false;
        super.channelReadComplete(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        reading = false;
        super.channelInactive(ctx);
    }

    /**
     * Sends what the streams wrote, once for all the streams that write in this turn of the event
     * loop: when the read being decoded completes, or after the loop's I/O (responses that come
     * from several backend connections at once leave in one write to the socket).
     */
    void flushStreams() {
        if (reading || flushPending) {
            return;
        }
        flushPending = true;
        ctx.executor().execute(flushTask);
    }

    private void flushNow() {
        flushPending = false;
        flush(ctx);
    }

    /** A connection error in what the client sent: {@link Http2Connection} logs it, then GOAWAY and close. */
    @Override
    protected void onConnectionError(ChannelHandlerContext ctx, boolean outbound, Throwable cause, Http2Exception http2Ex) {
        if (!outbound) {
            ctx.fireExceptionCaught(cause);
        }
        super.onConnectionError(ctx, outbound, cause, http2Ex);
    }

    /** A stream error: logged at info, as a client's error; the stream is reset and its exchange ends. */
    @Override
    protected void onStreamError(ChannelHandlerContext ctx, boolean outbound, Throwable cause, Http2Exception.StreamException e) {
        if (!outbound) {
            conn.streamError(e);
        }
        super.onStreamError(ctx, outbound, cause, e);
    }
}
