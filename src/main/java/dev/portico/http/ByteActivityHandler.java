package dev.portico.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.FileRegion;

/**
 * Sits next to the socket, before the HTTP codec: tells the connection handler that bytes
 * arrived (for its timers), and counts the encoded response bytes going out (for
 * {@code $bytes_sent}: written when handed on, sent once the write succeeded).
 */
final class ByteActivityHandler extends ChannelDuplexHandler {
    private final HttpConnectionHandler http;

    ByteActivityHandler(HttpConnectionHandler http) {
        this.http = http;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        http.bytesArrived();
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        long n = msg instanceof ByteBuf b ? b.readableBytes()
            : msg instanceof ByteBufHolder h ? h.content().readableBytes()
            : msg instanceof FileRegion r ? r.count() - r.transferred() : 0;
        if (n > 0) {
            http.bytesWritten(n);
            if (promise.isVoid()) {
                http.bytesSent(n);
            } else {
                promise.addListener(f -> {
                    if (f.isSuccess()) {
                        http.bytesSent(n);
                    }
                });
            }
        }
        ctx.write(msg, promise);
    }
}
