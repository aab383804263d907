package dev.portico.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * HTTP/2 with prior knowledge on a plain address where HTTP/2 is on: a connection whose first
 * bytes are the connection preface ({@code PRI * HTTP/2.0...}) is served as HTTP/2, any other as
 * HTTP/1.x, as nginx decides in ngx_http_wait_request_handler. The bytes read so far go on to
 * whichever protocol won.
 */
final class Http2PrefaceDetector extends ByteToMessageDecoder {
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int n = Math.min(in.readableBytes(), PREFACE.length);
        for (int i = 0; i < n; i++) {
            if (in.getByte(in.readerIndex() + i) != PREFACE[i]) {
                ctx.pipeline().remove(this);
                return;
            }
        }
        if (n == PREFACE.length) {
            Http2Upgrade.toHttp2(ctx.channel());
            ctx.pipeline().remove(this);
        }
        // a prefix of the preface: wait for more (the decoder asks for the next read)
    }
}
