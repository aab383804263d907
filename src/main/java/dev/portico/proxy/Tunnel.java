package dev.portico.proxy;

import dev.portico.http.Exchange;
import dev.portico.observability.LogLevel;
import dev.portico.upstream.DeadlineTimer;
import dev.portico.upstream.UpstreamConnection;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;

/**
 * The byte tunnel after a {@code 101 Switching Protocols} (nginx's upgraded connection): both
 * connections have left HTTP, and bytes are relayed as they come, one read in flight per
 * direction (the next read from a side is asked for only when the write to the other side
 * completed: a reader that stalls stops the writer). {@code proxy_read_timeout} ends a tunnel
 * with no data in either direction for that long (nginx re-arms its upstream read timer on
 * every event of the tunnel); {@code proxy_send_timeout} ends it when a write to the backend
 * does not complete in time. A half-close on one side is passed on as a half-close on the other.
 */
final class Tunnel implements UpstreamConnection.Listener {
    private final ProxyCall call;
    private final Attempt attempt;
    private final UpstreamConnection upstream;
    private final Channel up;
    private final Channel client;
    private final Exchange ex;
    private final DeadlineTimer idleTimer;
    private final DeadlineTimer sendTimer;
    private boolean clientInputDone;
    private boolean upstreamInputDone;
    private boolean closed;

    Tunnel(ProxyCall call, Attempt attempt, UpstreamConnection upstream) {
        this.call = call;
        this.attempt = attempt;
        this.upstream = upstream;
        this.up = upstream.channel();
        this.ex = call.ex;
        this.client = ex.tunnelChannel();
        this.idleTimer = new DeadlineTimer(up.eventLoop());
        this.sendTimer = new DeadlineTimer(up.eventLoop());
    }

    /** Called once the 101 head went to the client: the codecs leave both pipelines, relaying starts. */
    void start() {
        up.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        client.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        upstream.listener(this);
        io.netty.channel.ChannelPipeline p = up.pipeline();
        for (String name : new String[] {"encoder", "heads"}) {
            if (p.get(name) != null) {
                p.remove(name);
            }
        }
        ex.switchProtocols(new ClientSide());
        // last: bytes the response decoder held beyond the 101 head come out as ByteBufs (to onMessage)
        if (p.get("decoder") != null) {
            p.remove("decoder");
        }
        armIdle();
        if (!closed) {
            client.read();
            up.read();
        }
    }

    private void armIdle() {
        idleTimer.arm(call.conf.readTimeout, this::idleTimedOut);
    }

    private void idleTimedOut() {
        if (!closed) {
            ProxyLog.log(LogLevel.ERROR, ex, "upstream timed out (110: Connection timed out)",
                ProxyLog.UPGRADED, attempt.upstreamUri());
            closeBoth();
        }
    }

    // ---- backend -> client ----

    @Override
    public void onMessage(Object msg) {
        if (closed || !(msg instanceof ByteBuf b)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (!b.isReadable()) {
            b.release();
            return;
        }
        armIdle();
        client.writeAndFlush(b).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                closeBoth();
            } else if (!closed && !upstreamInputDone) {
                up.read();
            }
        });
    }

    @Override
    public void onReadComplete() {
        // the next read is asked for when the write to the client completed
    }

    @Override
    public void onInputShutdown() {
        upstreamInputDone = true;
        halfClose(client);
    }

    @Override
    public void onClosed(Throwable cause) {
        if (!closed) {
            flushAndClose(client);
            ended();
        }
    }

    // ---- client -> backend ----

    private void fromClient(ByteBuf b) {
        if (closed || !b.isReadable()) {
            b.release();
            return;
        }
        armIdle();
        sendTimer.arm(call.conf.sendTimeout, this::sendTimedOut);
        up.writeAndFlush(b).addListener((ChannelFutureListener) f -> {
            sendTimer.disarm();
            if (!f.isSuccess()) {
                closeBoth();
            } else if (!closed && !clientInputDone) {
                client.read();
            }
        });
    }

    private void sendTimedOut() {
        if (!closed) {
            ProxyLog.log(LogLevel.ERROR, ex, "upstream timed out (110: Connection timed out)",
                ProxyLog.UPGRADED, attempt.upstreamUri());
            closeBoth();
        }
    }

    // ---- endings ----

    /** Passes a half-close on: the other side's output is shut once what was written is flushed. */
    private void halfClose(Channel other) {
        if (clientInputDone && upstreamInputDone) {
            closeBoth();
            return;
        }
        other.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) f -> {
            if (other instanceof DuplexChannel d && other.pipeline().get(io.netty.handler.ssl.SslHandler.class) == null) {
                d.shutdownOutput();
            } else {
                other.close();
            }
        });
    }

    private static void flushAndClose(Channel c) {
        if (c.isActive()) {
            c.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private void closeBoth() {
        flushAndClose(client);
        flushAndClose(up);
        if (!client.isActive() && !up.isActive()) {
            ended();
        }
    }

    /** Either side closed: the exchange ends (access log, the snapshot's usage), the peer is released. */
    private void ended() {
        if (closed) {
            return;
        }
        closed = true;
        idleTimer.cancel();
        sendTimer.cancel();
        upstream.close();
        flushAndClose(client);
        attempt.tunnelEnded();
        ex.tunnelClosed();
    }

    /** The client's end of the tunnel, in place of the HTTP handlers. */
    private final class ClientSide extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf b) {
                fromClient(b);
            } else {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                clientInputDone = true;
                halfClose(up);
            }
            // a graceful stop's drain request does not end a tunnel: it runs until it closes
            ReferenceCountUtil.release(evt);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (!closed) {
                flushAndClose(up);
                ended();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
