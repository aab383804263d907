package dev.portico.proxy;

import dev.portico.bytes.ByteStrings;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;

/**
 * Netty's request encoder, except that the request target is written as the bytes it stands
 * for (one char per byte, see {@link ByteStrings}): Netty would UTF-8 encode it, turning a raw
 * 0xE9 from the client into C3 A9 on the way to the backend.
 */
final class ByteRequestEncoder extends HttpRequestEncoder {
    private static final short CRLF = ('\r' << 8) | '\n';

    @Override
    protected void encodeInitialLine(ByteBuf buf, HttpRequest request) {
        ByteBufUtil.copy(request.method().asciiName(), buf);
        buf.writeByte(' ');
        buf.writeBytes(ByteStrings.bytes(request.uri().isEmpty() ? "/" : request.uri()));
        buf.writeByte(' ');
        ByteBufUtil.writeAscii(buf, request.protocolVersion().text());
        buf.writeShort(CRLF);
    }
}
