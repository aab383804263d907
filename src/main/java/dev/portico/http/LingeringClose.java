package dev.portico.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * nginx's lingering close ({@code ngx_http_set_lingering_close}): once the last response is
 * written while the client may still be sending (a body nobody read, a 413), the output is shut
 * down and whatever arrives is read and dropped until {@code lingering_timeout} passes without
 * data or {@code lingering_time} in all. Closing at once with unread input makes the kernel send
 * a TCP reset, which can destroy the response before the client has read it.
 *
 * <p>Sits first in the pipeline, so the bytes never reach the HTTP decoder.
 */
final class LingeringClose extends ChannelInboundHandlerAdapter {
    private final long deadlineNanos;
    private final long timeoutNanos;
    private long lastRead = System.nanoTime();
    private ScheduledFuture<?> timer;

    private LingeringClose(long timeMillis, long timeoutMillis) {
        this.deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeMillis);
        this.timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    }

    /** Starts lingering on {@code ch} (on its event loop, after the response was written). */
    static void start(Channel ch, long timeMillis, long timeoutMillis) {
        if (!(ch instanceof DuplexChannel duplex) || timeMillis <= 0 || timeoutMillis <= 0) {
            ch.close();
            return;
        }
        LingeringClose linger = new LingeringClose(timeMillis, timeoutMillis);
        ch.pipeline().addFirst("linger", linger);
        // FIN after the response (after TLS close_notify, if any): the client sees its end, and
        // stops sending once it reads it
        SslHandler tls = ch.pipeline().get(SslHandler.class);
        ChannelFuture notified = tls != null ? tls.closeOutbound() : ch.newSucceededFuture();
        notified.addListener(n -> duplex.shutdownOutput().addListener(f -> {
            if (!f.isSuccess()) {
                ch.close();
            }
        }));
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        schedule(ctx);
        ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
        lastRead = System.nanoTime();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (System.nanoTime() - deadlineNanos >= 0) {
            ctx.close();
            return;
        }
        ctx.read();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // a reset or read error ends the lingering: nothing more to wait for
        ctx.close();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof io.netty.channel.socket.ChannelInputShutdownEvent) {
            // the client finished sending (its FIN): as nginx, close on end of input
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    /** One timer: the earlier of lingering_timeout after the last read and the lingering_time deadline. */
    private void schedule(ChannelHandlerContext ctx) {
        long now = System.nanoTime();
        long at = Math.min(lastRead + timeoutNanos, deadlineNanos);
        timer = ctx.executor().schedule(() -> onTimer(ctx), Math.max(1, at - now), TimeUnit.NANOSECONDS);
    }

    private void onTimer(ChannelHandlerContext ctx) {
        timer = null;
        long now = System.nanoTime();
        if (now - deadlineNanos >= 0 || now - lastRead >= timeoutNanos) {
            ctx.close();
            return;
        }
        schedule(ctx);
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
