package dev.portico.http;

import dev.portico.config.directive.Settings;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http2.Http2Connection;

/**
 * Between the TLS handler and the HTTP/2 codec: a close that follows a GOAWAY (keep-alive limits,
 * idle timeout, graceful stop, a client's protocol error) lingers as nginx 1.19.1+ lingers on
 * HTTP/2 connections ({@code lingering_close}): once the GOAWAY is written, output shut down and
 * input read and dropped for a while, so the client reads the GOAWAY instead of losing it to a
 * TCP reset caused by the frames it was still sending. A close without GOAWAY (a fast stop, a
 * reset peer) is immediate.
 */
final class Http2Linger extends ChannelOutboundHandlerAdapter {
    private final Settings settings;
    private final Http2Connection connection;
    private boolean lingering;

    Http2Linger(Settings settings, Http2Connection connection) {
        this.settings = settings;
        this.connection = connection;
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        if (lingering) {
            // the codec closes twice after an error GOAWAY; the lingering handler, first in the
            // pipeline, closes the socket itself when the client is done or its time is up
            ctx.channel().closeFuture().addListener(f -> promise.trySuccess());
            return;
        }
        long time = settings.get(HttpModule.LINGERING_TIME);
        long timeout = settings.get(HttpModule.LINGERING_TIMEOUT);
        if (!ctx.channel().isActive() || !connection.goAwaySent() || settings.get(HttpModule.LINGERING_CLOSE).equals("off")
            || !(ctx.channel() instanceof DuplexChannel) || time <= 0 || timeout <= 0) {
            ctx.close(promise);
            return;
        }
        lingering = true;
        ctx.channel().closeFuture().addListener(f -> promise.trySuccess());
        // once what is written (the GOAWAY above all) has left: shutting the output down fails pending writes
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> LingeringClose.start(ctx.channel(), time, timeout));
    }
}
