package dev.portico.core;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/** The native epoll transport on Linux, NIO elsewhere; one place decides. */
public final class Transport {
    private Transport() {
    }

    public static boolean epoll() {
        return Epoll.isAvailable() && !Boolean.getBoolean("portico.nio");
    }

    public static String name() {
        return epoll() ? "epoll" : "nio";
    }

    public static EventLoopGroup group(int threads, String name) {
        IoHandlerFactory f = epoll() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        return new MultiThreadIoEventLoopGroup(threads, new io.netty.util.concurrent.DefaultThreadFactory(name, true), f);
    }

    public static Class<? extends ServerChannel> serverChannel(boolean unix) {
        if (unix) {
            if (!epoll()) {
                throw new IllegalStateException("unix sockets need the epoll transport");
            }
            return EpollServerDomainSocketChannel.class;
        }
        return epoll() ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    }

    public static Class<? extends Channel> clientChannel(boolean unix) {
        if (unix) {
            if (!epoll()) {
                throw new IllegalStateException("unix sockets need the epoll transport");
            }
            return EpollDomainSocketChannel.class;
        }
        return epoll() ? EpollSocketChannel.class : NioSocketChannel.class;
    }
}
