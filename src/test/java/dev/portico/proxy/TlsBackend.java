package dev.portico.proxy;

import dev.portico.testing.TestCertificates;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslProvider;
import io.netty.internal.tcnative.SSL;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * An HTTPS backend on BoringSSL that records each handshake as the server saw it: the SNI it
 * received, the client certificate, whether the session was resumed (BoringSSL says so). It
 * answers every request with 200, the number of the connection it came on, and that
 * connection's client certificate (X-Client-Subject, "none" without one).
 */
final class TlsBackend implements AutoCloseable {
    /** One TLS connection, as the backend saw its handshake. */
    record Handshake(int connection, String sni, String clientSubject, boolean resumed, String protocol) {
    }

    final List<Handshake> handshakes = new CopyOnWriteArrayList<>();
    final AtomicInteger requests = new AtomicInteger();
    /** Connections whose handshake failed (the client refused the certificate, say). */
    final AtomicInteger failedHandshakes = new AtomicInteger();
    private final AtomicInteger connections = new AtomicInteger();
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;

    private TlsBackend(int port, SslContext tls) {
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
            .childHandler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                    int n = connections.incrementAndGet();
                    ch.pipeline().addLast(tls.newHandler(ch.alloc()), new HttpServerCodec(), new HttpObjectAggregator(1 << 20),
                        new Responder(n));
                }
            })
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)).syncUninterruptibly().channel();
    }

    /** A backend serving {@code cert} on the port that stands for {@code original}. */
    static TlsBackend on(dev.portico.testing.PortMap ports, int original, TestCertificates.Issued cert) {
        return new TlsBackend(ports.get(original), context(cert, null, ClientAuth.NONE, cert.chainPem()));
    }

    /** As {@link #on}, requiring a client certificate issued by {@code clientCa}. */
    static TlsBackend requiringClientCertificate(dev.portico.testing.PortMap ports, int original, TestCertificates.Issued cert,
                                                 X509Certificate clientCa) {
        return new TlsBackend(ports.get(original), context(cert, clientCa, ClientAuth.REQUIRE, cert.chainPem()));
    }

    /** As {@link #on}, asking for a client certificate issued by {@code clientCa} but serving a client without one. */
    static TlsBackend askingForClientCertificate(dev.portico.testing.PortMap ports, int original, TestCertificates.Issued cert,
                                                 X509Certificate clientCa) {
        return new TlsBackend(ports.get(original), context(cert, clientCa, ClientAuth.OPTIONAL, cert.chainPem()));
    }

    /** As {@link #on}, sending only the leaf certificate (no chain). */
    static TlsBackend leafOnly(dev.portico.testing.PortMap ports, int original, TestCertificates.Issued cert) {
        return new TlsBackend(ports.get(original), context(cert, null, ClientAuth.NONE, cert.certPem()));
    }

    private static SslContext context(TestCertificates.Issued cert, X509Certificate clientCa, ClientAuth auth, String chain) {
        try {
            java.security.cert.CertificateFactory f = java.security.cert.CertificateFactory.getInstance("X.509");
            X509Certificate[] certs = f.generateCertificates(new java.io.ByteArrayInputStream(chain.getBytes(StandardCharsets.US_ASCII)))
                .toArray(new X509Certificate[0]);
            SslContextBuilder b = SslContextBuilder.forServer(cert.key(), certs).sslProvider(SslProvider.OPENSSL);
            if (clientCa != null) {
                b.clientAuth(auth).trustManager(clientCa);
            }
            return b.build();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    int connections() {
        return connections.get();
    }

    private final class Responder extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final int connection;

        Responder(int connection) {
            this.connection = connection;
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SslHandshakeCompletionEvent e) {
                if (e.isSuccess()) {
                    handshakes.add(describe(ctx.pipeline().get(SslHandler.class)));
                } else {
                    failedHandshakes.incrementAndGet();
                }
            }
            ctx.fireUserEventTriggered(evt);
        }

        private Handshake describe(SslHandler h) {
            SSLSession s = h.engine().getSession();
            String sni = null;
            if (s instanceof ExtendedSSLSession es) {
                for (SNIServerName n : es.getRequestedServerNames()) {
                    if (n instanceof SNIHostName hn) {
                        sni = hn.getAsciiName();
                    }
                }
            }
            String client = clientSubject(s);
            boolean resumed = h.engine() instanceof ReferenceCountedOpenSslEngine e && SSL.isSessionReused(e.sslPointer());
            return new Handshake(connection, sni, client, resumed, s.getProtocol());
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            requests.incrementAndGet();
            byte[] body = ("connection " + connection).getBytes(StandardCharsets.US_ASCII);
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(body));
            r.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length);
            // the client certificate of the connection the request came on
            String client = clientSubject(ctx.pipeline().get(SslHandler.class).engine().getSession());
            r.headers().set("X-Client-Subject", client == null ? "none" : client);
            ctx.writeAndFlush(r);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private static String clientSubject(SSLSession s) {
        try {
            return ((X509Certificate) s.getPeerCertificates()[0]).getSubjectX500Principal().getName();
        } catch (SSLPeerUnverifiedException none) {
            return null;
        }
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
}
