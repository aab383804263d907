package dev.portico.http;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * The client side of an exchange, as the protocol that carries it provides it: an HTTP/1.x
 * connection ({@link HttpConnectionHandler}) or an HTTP/2 stream ({@link Http2Stream}). The
 * exchange and the modules talk to the client only through this; what a protocol writes on the
 * wire (status line, framing, connection headers, header order) stays in its implementation.
 */
public interface ClientSide {
    /** The event loop the exchange runs on; its upstream connections live there too. */
    EventLoop eventLoop();

    ByteBufAllocator alloc();

    /** Asks for more request body (one read); what arrives goes to {@link Exchange#deliverBody}. */
    void readBody();

    /** The interim {@code 100 Continue}, when the client waits for it before sending a body. */
    void sendContinue();

    /**
     * Puts a filtered response head on the wire with the protocol's framing (Content-Length or
     * chunked, no body for HEAD/1xx/204/304) and connection headers; counts its bytes into
     * {@link Exchange#headerBytes()}.
     */
    ChannelFuture writeHead(Exchange ex, HttpResponse head);

    /**
     * Writes body content: an {@code HttpContent}, a {@code FileRegion} or a {@code ChunkedInput}.
     * Starts the {@code send_timeout} watch.
     */
    ChannelFuture write(Exchange ex, Object content, boolean flush);

    /** The last write of the response; the exchange ends when it completes. */
    ChannelFuture end(Exchange ex, LastHttpContent last);

    void flush();

    ChannelFuture succeeded();

    /** False while the client is slow and output is piling up (backpressure). */
    boolean isWritable();

    /** Bytes written for the client and not yet taken by the kernel (the read-ahead limit reads this). */
    long pendingBytes();

    /** Bytes that reached the socket since this side began; an exchange counts from its start. */
    long bytesSent();

    boolean isActive();

    /** Closes the client side at once (a backend failed after the response began). */
    void abort(Exchange ex);

    /** After a 101: the protocol's framing leaves and {@code tunnel} gets the raw bytes of {@link #tunnelChannel()}. */
    void switchProtocols(Exchange ex, ChannelHandler tunnel);

    /** The channel whose bytes a tunnel relays after {@link #switchProtocols}. */
    Channel tunnelChannel();

    /**
     * True when a body may go as a {@code FileRegion} (sendfile): only straight to a plain
     * socket; TLS and HTTP/2 framing need the bytes, so they take file chunks instead.
     */
    boolean takesFileRegions();
}
