package dev.portico.testing;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A small HTTP/2 client on Netty's codec for tests: prior knowledge on a plain port (which the
 * JDK's HttpClient does not do) or TLS with ALPN {@code h2}; each request is a stream of its
 * own on the one connection. It records the SETTINGS and GOAWAY frames the server sends.
 */
public final class H2Client implements AutoCloseable {
    /** A stream's outcome: the response, or the RST_STREAM code that ended it (-1: none). */
    public record Response(Http2Headers headers, byte[] body, Http2Headers trailers, long resetCode) {
        public int status() {
            return headers == null ? 0 : Integer.parseInt(headers.status().toString());
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }

        public String header(String name) {
            CharSequence v = headers.get(name);
            return v == null ? null : v.toString();
        }
    }

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel channel;
    public final List<Http2Settings> settings = new CopyOnWriteArrayList<>();
    public final CompletableFuture<GoAway> goAway = new CompletableFuture<>();

    /** What a GOAWAY frame said. */
    public record GoAway(long errorCode, int lastStreamId) {
    }

    private H2Client(int port, SslContext ssl, Http2Settings initial) throws InterruptedException {
        Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class).handler(new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                if (ssl != null) {
                    ch.pipeline().addLast(ssl.newHandler(ch.alloc(), "localhost", port));
                }
                // a test client sends what it is told, even past the server's header list limit
                Http2FrameCodecBuilder codec = Http2FrameCodecBuilder.forClient().encoderIgnoreMaxHeaderListSize(true);
                if (initial != null) {
                    codec.initialSettings(initial);
                }
                ch.pipeline().addLast(codec.build(), new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()), new Recorder());
            }
        });
        channel = b.connect("127.0.0.1", port).sync().channel();
    }

    /** HTTP/2 with prior knowledge on a plain port. */
    public static H2Client plain(int port) throws InterruptedException {
        return new H2Client(port, null, null);
    }

    /** HTTP/2 with prior knowledge, announcing these settings (a small window, for instance). */
    public static H2Client plain(int port, Http2Settings settings) throws InterruptedException {
        return new H2Client(port, null, settings);
    }

    /** TLS to a port whose certificate the test CA signed, ALPN offering only {@code h2}. */
    public static H2Client tls(int port, TestCertificates certs) throws Exception {
        SslContext ssl = SslContextBuilder.forClient().trustManager(certs.ca())
            .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, "h2"))
            .build();
        return new H2Client(port, ssl, null);
    }

    public Channel channel() {
        return channel;
    }

    /** The codec of the connection, to write frames of one's own (floods). */
    public Http2FrameCodec codec() {
        return channel.pipeline().get(Http2FrameCodec.class);
    }

    public static Http2Headers get(String path) {
        return new DefaultHttp2Headers().method("GET").path(path).scheme("http").authority("localhost");
    }

    /** Sends a request on a new stream; the body (null: none) goes as one DATA frame. */
    public CompletableFuture<Response> send(Http2Headers headers, byte[] body) throws InterruptedException {
        Collector c = new Collector();
        Http2StreamChannel s = new Http2StreamChannelBootstrap(channel).handler(c).open().sync().getNow();
        s.write(new DefaultHttp2HeadersFrame(headers, body == null));
        if (body != null) {
            s.write(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(body), true));
        }
        s.flush();
        return c.done;
    }

    /** Opens a stream and sends its headers only; the caller writes the rest. */
    public Http2StreamChannel open(Http2Headers headers, CompletableFuture<Response> done) throws InterruptedException {
        Collector c = new Collector(done);
        Http2StreamChannel s = new Http2StreamChannelBootstrap(channel).handler(c).open().sync().getNow();
        s.writeAndFlush(new DefaultHttp2HeadersFrame(headers, false)).sync();
        return s;
    }

    public Response get(String path, long timeoutSeconds) throws Exception {
        return send(get(path), null).get(timeoutSeconds, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    /** Connection-level frames the multiplexer passes on. */
    private final class Recorder extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Http2SettingsFrame s) {
                settings.add(s.settings());
            } else if (msg instanceof Http2GoAwayFrame g) {
                goAway.complete(new GoAway(g.errorCode(), g.lastStreamId()));
            }
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            goAway.completeExceptionally(new IllegalStateException("closed without GOAWAY"));
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // a server closing on a flood may reset the socket: the test looks at GOAWAY and the close
            ctx.close();
        }
    }

    /** One stream's frames, collected into a {@link Response}. */
    private static final class Collector extends ChannelInboundHandlerAdapter {
        final CompletableFuture<Response> done;
        private Http2Headers headers;
        private Http2Headers trailers;
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();

        Collector() {
            this(new CompletableFuture<>());
        }

        Collector(CompletableFuture<Response> done) {
            this.done = done;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                boolean end = false;
                if (msg instanceof Http2HeadersFrame h) {
                    if (headers == null || headers.status().toString().startsWith("1")) {
                        headers = h.headers();
                    } else {
                        trailers = h.headers();
                    }
                    end = h.isEndStream();
                } else if (msg instanceof Http2DataFrame d) {
                    ByteBuf b = d.content();
                    byte[] bytes = new byte[b.readableBytes()];
                    b.readBytes(bytes);
                    body.writeBytes(bytes);
                    end = d.isEndStream();
                }
                if (end) {
                    done.complete(new Response(headers, body.toByteArray(), trailers, -1));
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof Http2ResetFrame r) {
                done.complete(new Response(headers, body.toByteArray(), trailers, r.errorCode()));
            }
            ReferenceCountUtil.release(evt);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            done.completeExceptionally(new IllegalStateException("stream closed before its end"));
        }
    }
}
