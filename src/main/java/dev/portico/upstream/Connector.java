package dev.portico.upstream;

import dev.portico.core.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.SocketAddress;

/**
 * Opens connections to peers on a given event loop (the client connection's, so that both sides
 * of a proxied request stay on one thread). Auto-read is off: the user reads when it can take data.
 */
public final class Connector {
    /** Adds the protocol handlers (HTTP codec...) in front of the connection's own handler. */
    @FunctionalInterface
    public interface PipelineSetup {
        void setup(ChannelPipeline pipeline);
    }

    private Connector() {
    }

    /** Raised when IP_TRANSPARENT cannot be set (the process lacks CAP_NET_ADMIN). */
    public static final class TransparentRefused extends java.io.IOException {
        TransparentRefused(Throwable cause) {
            super("setsockopt(IP_TRANSPARENT) failed", cause);
        }
    }

    /**
     * @param maxRead the most one read from the peer may return (reads adapt between 2 KiB and this),
     *                so that a body arrives in few large reads
     * @param local   the address to bind before connecting ({@code proxy_bind}), or null
     * @param transparent set IP_TRANSPARENT first, so that {@code local} may be a non-local address
     */
    public static Future<UpstreamConnection> connect(EventLoop loop, Peer peer, long connectTimeoutMillis, boolean soKeepalive,
                                                     int maxRead, SocketAddress local, boolean transparent, PipelineSetup setup) {
        Promise<UpstreamConnection> promise = loop.newPromise();
        boolean unix = peer.address() instanceof DomainSocketAddress;
        UpstreamConnection[] made = new UpstreamConnection[1];
        Bootstrap b = new Bootstrap()
            .group(loop)
            .channel(Transport.clientChannel(unix))
            .option(ChannelOption.AUTO_READ, false)
            .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, Math.max(1, connectTimeoutMillis)))
            .handler(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                    // per connection: proxy_limit_rate may cap this connection's next read
                    ReadBudget reads = new ReadBudget(new AdaptiveRecvByteBufAllocator(64, 2048, Math.max(65536, maxRead)));
                    ch.config().setRecvByteBufAllocator(reads);
                    UpstreamConnection c = new UpstreamConnection(ch, peer, reads);
                    made[0] = c;
                    ch.pipeline().addLast("bytes", c.new Counter());
                    setup.setup(ch.pipeline());
                    ch.pipeline().addLast("upstream", c.new Events());
                }
            });
        if (!unix) {
            b.option(ChannelOption.TCP_NODELAY, true);
            if (soKeepalive) {
                b.option(ChannelOption.SO_KEEPALIVE, true);
            }
        }
        ChannelFuture f;
        if (transparent && !unix) {
            f = transparentConnect(b, peer.address(), local);
        } else {
            f = local == null || unix ? b.connect(peer.address()) : b.connect(peer.address(), local);
        }
        f.addListener(done -> {
            if (done.isSuccess()) {
                promise.setSuccess(made[0]);
            } else {
                promise.setFailure(done.cause());
            }
        });
        return promise;
    }

    /**
     * Registers the channel, sets IP_TRANSPARENT (Netty would only log a failed option) and then
     * connects from {@code local}; a refused option fails the connection as nginx fails it.
     */
    private static ChannelFuture transparentConnect(Bootstrap b, SocketAddress remote, SocketAddress local) {
        ChannelFuture registered = b.register();
        io.netty.channel.ChannelPromise result = registered.channel().newPromise();
        registered.addListener(r -> {
            Channel ch = registered.channel();
            if (!r.isSuccess()) {
                result.setFailure(r.cause());
                return;
            }
            try {
                ch.config().setOption(io.netty.channel.epoll.EpollChannelOption.IP_TRANSPARENT, true);
            } catch (io.netty.channel.ChannelException e) {
                ch.close();
                result.setFailure(new TransparentRefused(e.getCause() != null ? e.getCause() : e));
                return;
            }
            ch.connect(remote, local, result);
        });
        return result;
    }
}
