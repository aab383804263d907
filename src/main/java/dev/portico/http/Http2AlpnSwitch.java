package dev.portico.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;

/**
 * Sits after the TLS handler of an {@code ssl} address: when the handshake completes with ALPN
 * {@code h2} the connection becomes HTTP/2 ({@link Http2Upgrade}), otherwise it stays HTTP/1.1.
 * Application data decrypted before the completion event (it can share a read with the client's
 * Finished) is held and handed on after the switch. Without a TLS handler (plain HTTP sent to a
 * TLS port) it steps aside at once.
 */
final class Http2AlpnSwitch extends ChannelInboundHandlerAdapter {
    private List<Object> held;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (ctx.pipeline().get(SslHandler.class) == null) {
            ctx.pipeline().remove(this);
            ctx.fireChannelRead(msg);
            return;
        }
        if (held == null) {
            held = new ArrayList<>(2);
        }
        held.add(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent e) {
            SslHandler ssl = ctx.pipeline().get(SslHandler.class);
            if (e.isSuccess() && ssl != null && "h2".equals(ssl.applicationProtocol())) {
                Http2Upgrade.toHttp2(ctx.channel());
            }
            ctx.fireUserEventTriggered(evt);
            ctx.pipeline().remove(this);
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        List<Object> h = held;
        held = null;
        if (h == null) {
            return;
        }
        if (!ctx.channel().isActive()) {
            h.forEach(ReferenceCountUtil::release);
            return;
        }
        for (Object m : h) {
            ctx.fireChannelRead(m);
        }
        ctx.fireChannelReadComplete();
    }
}
