package dev.portico.tls;

import dev.portico.http.AddressConf;
import dev.portico.http.ClientConnection;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslClientHelloHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;

/**
 * Reads the ClientHello and continues the handshake with the certificate of the server nginx
 * would choose for its name on this address (exact name, wildcard, regex, else the default
 * server), of the key type the client can use. A server with {@code ssl_reject_handshake on},
 * or without a certificate, ends the handshake.
 */
final class ServerNameSelector extends SslClientHelloHandler<SslContext> {
    private final TlsTerminator terminator;
    private final AddressConf address;
    private final ClientConnection connection;
    private TlsTerminator.ServerTls chosen;
    /** A certificate named by the server name is being read for this connection. */
    private boolean loading;
    /** The choice failed: the connection is being closed. */
    private boolean failed;
    private String serverName;

    ServerNameSelector(TlsTerminator terminator, AddressConf address, ClientConnection connection) {
        this.terminator = terminator;
        this.address = address;
        this.connection = connection;
    }

    @Override
    protected Future<SslContext> lookup(ChannelHandlerContext ctx, ByteBuf clientHello) {
        if (loading || failed || !ctx.channel().isActive()) {
            // a connection closing offers the same hello again (the decoder's last pass): nothing more to choose or read
            return ctx.executor().newFailedFuture(new SSLHandshakeException("connection closed during the handshake"));
        }
        ClientHello hello = ClientHello.parse(clientHello);
        serverName = hello.serverName();
        TlsTerminator.ServerTls tls = terminator.forName(address, serverName);
        if (tls != null && tls.perName() != null) {
            chosen = tls;
            Future<SslContext> f = tls.perName().lookup(hello, ctx.executor());
            loading = !f.isDone();
            return f;
        }
        if (tls == null || tls.reject() || tls.contexts().isEmpty()) {
            String why = tls != null && tls.reject() ? "rejected by \"ssl_reject_handshake\""
                : "no \"ssl_certificate\" is defined in server listening on SSL port";
            return ctx.executor().newFailedFuture(new SSLHandshakeException(why));
        }
        chosen = tls;
        // ngx_http_ssl_alpn_select: h2 when the server SNI chose has http2 on, or the address has "listen ... http2"
        boolean h2 = tls.http2() || address.listen().http2();
        return ctx.executor().newSucceededFuture(tls.contextFor(hello, h2));
    }

    @Override
    protected void onLookupComplete(ChannelHandlerContext ctx, Future<SslContext> future) {
        loading = false;
        if (!future.isSuccess()) {
            failed = true;
            throw new DecoderException(future.cause());
        }
        connection.tlsServerName(serverName);
        SslHandler h = newSslHandler(future.getNow(), ctx);
        // nginx's ssl_servername: kept only when the name selected a server by one of its names
        boolean named = serverName != null && !serverName.isEmpty() && address.servers().findNamed(serverName) != null;
        TlsConnection.attach(ctx.channel(), named ? serverName : null, chosen.verifier(), h.engine());
        try {
            ctx.pipeline().replace(this, "ssl", h);
            h = null;
        } finally {
            if (h != null) {
                ReferenceCountUtil.safeRelease(h.engine());
            }
        }
    }

    private SslHandler newSslHandler(SslContext context, ChannelHandlerContext ctx) {
        SslHandler h = context.newHandler(ctx.alloc());
        // the handshake is bounded by client_header_timeout, which runs from the connection's start, as in nginx
        h.setHandshakeTimeoutMillis(0);
        SSLEngine engine = h.engine();
        if (chosen.preferServerCiphers()) {
            SSLParameters p = engine.getSSLParameters();
            p.setUseCipherSuitesOrder(true);
            engine.setSSLParameters(p);
        }
        if (!chosen.tickets() && engine instanceof ReferenceCountedOpenSslEngine e) {
            // ssl_session_tickets off: nginx's SSL_OP_NO_TICKET, set on the connection before its handshake
            io.netty.internal.tcnative.SSL.setOptions(e.sslPointer(), io.netty.internal.tcnative.SSL.SSL_OP_NO_TICKET);
        }
        byte[] staple = chosen.staple(context);
        if (staple != null && engine instanceof ReferenceCountedOpenSslEngine e) {
            // BoringSSL sends it only to a client whose hello asked for the certificate's status
            e.setOcspResponse(staple);
        }
        return h;
    }
}
