package dev.portico.upstream;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * A connection to a peer, opened on (and only used from) one event loop. While an attempt uses
 * it, events go to that attempt's {@link Listener}; while nobody uses it (waiting in a
 * {@link KeepalivePool}, or just released), any byte or close from the peer makes it leave the
 * pool and close: a byte that no request asked for must never be read as the next response.
 */
public final class UpstreamConnection {
    /**
     * The protocol decoder of a connection, asked whether the response it just ended left
     * anything behind. Implemented by the decoder handler in the connection's pipeline.
     */
    public interface Framing extends io.netty.channel.ChannelHandler {
        /** Bytes buffered beyond the end of the message just decoded (0 at an exact frame boundary). */
        int bytesBeyondMessage();
    }

    /** What the user of a connection hears from it. */
    public interface Listener {
        /** A decoded message; ownership passes to the listener. */
        void onMessage(Object msg);

        /** The end of one read from the socket. */
        default void onReadComplete() {
        }

        /** The connection closed; {@code cause} is the error that closed it, or null for a close by the peer. */
        void onClosed(Throwable cause);

        /** The peer shut its output down (half-close; only with ALLOW_HALF_CLOSURE). */
        default void onInputShutdown() {
        }

        /** The connection can take writes again. */
        default void onWritable() {
        }
    }

    private final Channel channel;
    private final Peer peer;
    private final ReadBudget reads;
    private final long createdNanos = System.nanoTime();
    private final DeadlineTimer timer;
    private int requests;
    private Listener listener;
    private Throwable failure;
    private long bytesIn;
    private long bytesOut;
    /** Set while the connection is offered to the pool during a read: it may not be taken until that read ends. */
    boolean settling;
    private Framing framing;
    KeepalivePool pool;

    UpstreamConnection(Channel channel, Peer peer, ReadBudget reads) {
        this.channel = channel;
        this.peer = peer;
        this.reads = reads;
        this.timer = new DeadlineTimer(channel.eventLoop());
    }

    public Channel channel() {
        return channel;
    }

    public Peer peer() {
        return peer;
    }

    /** The timer of this connection: the user's read/send timeouts, or the pool's idle timeout. */
    public DeadlineTimer timer() {
        return timer;
    }

    public long ageMillis() {
        return (System.nanoTime() - createdNanos) / 1_000_000L;
    }

    /** Requests sent on this connection so far. */
    public int requests() {
        return requests;
    }

    public void countRequest() {
        requests++;
    }

    /** True when the connection served a request before the current one (it came from the pool). */
    public boolean reused() {
        return requests > 1;
    }

    /** Raw bytes read from the peer so far (status line, headers, body, framing). */
    public long bytesIn() {
        return bytesIn;
    }

    /** Raw bytes written to the peer so far. */
    public long bytesOut() {
        return bytesOut;
    }

    public void listener(Listener l) {
        this.listener = l;
    }

    /**
     * Caps the next read from the peer at {@code bytes} (a rate limit's allowance); a negative
     * value reads as much as the read size allows. The cap lasts one read.
     */
    public void capNextRead(long bytes) {
        reads.capNextRead(bytes);
    }

    public boolean isActive() {
        return channel.isActive();
    }

    /**
     * Bytes the peer sent beyond the response that just ended, still buffered in the decoder
     * (0 when the response ended exactly at a frame boundary). Asked while the last piece of the
     * response is handed on, before anything else is read.
     */
    public int bytesBeyondResponse() {
        Framing f = framing();
        return f == null ? 0 : f.bytesBeyondMessage();
    }

    /** The connection's protocol decoder, or null before its pipeline is set up. */
    public Framing framing() {
        Framing f = framing;
        if (f == null) {
            // found once: looking a handler up by type walks the pipeline
            f = channel.pipeline().get(Framing.class);
            framing = f;
        }
        return f;
    }

    public void close() {
        listener = null;
        timer.cancel();
        channel.close();
    }

    /**
     * The first handler of the pipeline: counts raw bytes both ways, and closes the connection
     * on any byte that arrives while nobody uses it, before a decoder could keep it (a partial
     * head buffered while idle would otherwise become the start of the next response).
     */
    final class Counter extends io.netty.channel.ChannelDuplexHandler {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof io.netty.buffer.ByteBuf b) {
                if (listener == null && b.isReadable()) {
                    b.release();
                    leavePool();
                    UpstreamConnection.this.close();
                    return;
                }
                bytesIn += b.readableBytes();
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            // the read that ended the last response is over: every byte of it was seen
            settling = false;
            ctx.fireChannelReadComplete();
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, io.netty.channel.ChannelPromise promise) {
            if (msg instanceof io.netty.buffer.ByteBuf b) {
                bytesOut += b.readableBytes();
            }
            ctx.write(msg, promise);
        }
    }

    /** The last handler of the connection's pipeline: hands events to the current user or the pool. */
    final class Events extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Listener l = listener;
            if (l == null) {
                // nothing is expected from an idle connection
                ReferenceCountUtil.release(msg);
                leavePool();
                channel.close();
                return;
            }
            l.onMessage(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            Listener l = listener;
            if (l != null) {
                l.onReadComplete();
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            Listener l = listener;
            if (evt instanceof io.netty.channel.socket.ChannelInputShutdownEvent && l != null) {
                l.onInputShutdown();
                return;
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            Listener l = listener;
            if (l != null && ctx.channel().isWritable()) {
                l.onWritable();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            leavePool();
            timer.cancel();
            Listener l = listener;
            listener = null;
            if (l != null) {
                l.onClosed(failure);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (failure == null) {
                failure = cause;
            }
            ctx.close();
        }
    }

    private void leavePool() {
        if (pool != null) {
            pool.remove(this);
            pool = null;
        }
    }
}
