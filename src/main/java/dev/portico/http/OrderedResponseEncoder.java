package dev.portico.http;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseEncoder;

/**
 * Netty's response encoder writing header lines in nginx's order and case
 * ({@link ResponseHeaderOrder}) as it encodes them, so no head is rebuilt to be reordered.
 */
final class OrderedResponseEncoder extends HttpResponseEncoder {
    @Override
    protected void encodeHeaders(HttpHeaders headers, ByteBuf buf) {
        ResponseHeaderOrder.write(headers, buf);
    }
}
