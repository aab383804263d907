package dev.portico.tls;

import dev.portico.http.AddressConf;
import dev.portico.http.ClientConnection;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslHandler;
import java.util.List;

/**
 * The first bytes of a connection to an {@code ssl} address: a TLS record starts the handshake;
 * anything else is a client speaking plain HTTP to an HTTPS port, which HTTP then answers with
 * nginx's 400 "The plain HTTP request was sent to HTTPS port" (497 for {@code error_page}).
 */
final class TlsDetector extends ByteToMessageDecoder {
    /** A TLS record header: type, version, length. */
    private static final int RECORD_HEADER = 5;

    private final TlsTerminator terminator;
    private final AddressConf address;
    private final ClientConnection connection;

    TlsDetector(TlsTerminator terminator, AddressConf address, ClientConnection connection) {
        this.terminator = terminator;
        this.address = address;
        this.connection = connection;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (in.readableBytes() < RECORD_HEADER) {
            // "GET /" is five bytes too: a shorter first packet waits for more either way (the decoder asks for a read)
            return;
        }
        if (SslHandler.isEncrypted(in, false)) {
            ctx.pipeline().replace(this, "tls", new ServerNameSelector(terminator, address, connection));
        } else {
            connection.plainHttpOnTlsPort(true);
            ctx.pipeline().remove(this);
        }
    }
}
