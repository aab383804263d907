package dev.portico.proxy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A websocket backend for tests: Netty's server handshake on any path starting with
 * {@code /hub} (subprotocol "chat" offered), every data frame echoed back as it came (so
 * fragmentation survives), "close:CODE" answered by a close frame with that code, other
 * paths answered with a plain 403, except /global and /form: a 302 to the backend's own address. Each handshake's request headers are recorded.
 */
final class WsEchoServer implements AutoCloseable {
    final BlockingQueue<FullHttpRequest> handshakes = new LinkedBlockingQueue<>();
    final String name;
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;
    private final io.netty.channel.group.ChannelGroup children =
        new io.netty.channel.group.DefaultChannelGroup(io.netty.util.concurrent.GlobalEventExecutor.INSTANCE);

    WsEchoServer(int port, String name) throws InterruptedException {
        this.name = name;
        WebSocketServerProtocolConfig cfg = WebSocketServerProtocolConfig.newBuilder()
            .websocketPath("/hub").checkStartsWith(true).subprotocols("chat")
            .maxFramePayloadLength(64 * 1024 * 1024).handleCloseFrames(true).build();
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
            .childHandler(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                    children.add(ch);
                    ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65536),
                        new SimpleChannelInboundHandler<FullHttpRequest>(false) {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
                                handshakes.add(req.retainedDuplicate());
                                if (req.uri().startsWith("/hub")) {
                                    ctx.fireChannelRead(req);
                                    return;
                                }
                                req.release();
                                if (req.uri().startsWith("/global") || req.uri().startsWith("/form")) {
                                    // a dashboard page that redirects with the backend's own address
                                    DefaultFullHttpResponse redirect = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                                        HttpResponseStatus.FOUND, Unpooled.EMPTY_BUFFER);
                                    redirect.headers().set("Location", "http://127.0.0.1:" + port + "/global/home")
                                        .set("X-Powered-By", "dash").set("X-Backend", name).set("Content-Length", 0);
                                    ctx.writeAndFlush(redirect);
                                    return;
                                }
                                DefaultFullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                                    HttpResponseStatus.FORBIDDEN, Unpooled.copiedBuffer("no websocket here", StandardCharsets.UTF_8));
                                r.headers().set("Content-Length", r.content().readableBytes());
                                ctx.writeAndFlush(r);
                            }
                        },
                        new WebSocketServerProtocolHandler(cfg),
                        new SimpleChannelInboundHandler<WebSocketFrame>(false) {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame f) {
                                if (f instanceof TextWebSocketFrame t && t.isFinalFragment() && t.text().startsWith("close:")) {
                                    int code = Integer.parseInt(t.text().substring(6));
                                    f.release();
                                    ctx.writeAndFlush(new CloseWebSocketFrame(code, "bye")).addListener(ChannelFutureListener.CLOSE);
                                    return;
                                }
                                if (f instanceof TextWebSocketFrame t && t.isFinalFragment() && t.text().equals("drop")) {
                                    f.release();
                                    ctx.close();
                                    return;
                                }
                                if (f instanceof TextWebSocketFrame t && t.isFinalFragment() && t.text().equals("who")) {
                                    f.release();
                                    ctx.writeAndFlush(new TextWebSocketFrame(name));
                                    return;
                                }
                                ctx.writeAndFlush(f);
                            }
                        });
                }
            })
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)).sync().channel();
    }

    @Override
    public synchronized void close() {
        if (group.isShuttingDown()) {
            return;
        }
        server.close().syncUninterruptibly();
        // a stopped backend: its connections end (TCP close, no websocket close frame)
        children.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        FullHttpRequest r;
        while ((r = handshakes.poll()) != null) {
            r.release();
        }
    }
}
