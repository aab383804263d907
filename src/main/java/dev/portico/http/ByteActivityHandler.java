package dev.portico.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/** Sits before the HTTP decoder and tells the connection handler that bytes arrived (for its timers). */
final class ByteActivityHandler extends ChannelInboundHandlerAdapter {
    private final HttpConnectionHandler http;

    ByteActivityHandler(HttpConnectionHandler http) {
        this.http = http;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        http.bytesArrived();
        ctx.fireChannelRead(msg);
    }
}
