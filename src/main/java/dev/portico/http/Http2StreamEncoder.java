package dev.portico.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Frame;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.ReferenceCountUtil;

/**
 * A stream's response body as HTTP/2 frames: body pieces (and the file chunks a
 * {@code ChunkedWriteHandler} reads) become DATA frames, the last piece ends the stream, and
 * trailers go as a final HEADERS frame. Frames the stream writes itself (HEADERS, RST_STREAM)
 * pass as they are. After a response without body (HEAD, 204, 304) ended the stream with its
 * HEADERS, body writes are dropped.
 */
final class Http2StreamEncoder extends ChannelOutboundHandlerAdapter {
    /** A DATA frame's header on the wire, counted into $bytes_sent. */
    private static final int FRAME_HEADER = 9;

    private final Http2Stream stream;

    Http2StreamEncoder(Http2Stream stream) {
        this.stream = stream;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof Http2Frame) {
            ctx.write(msg, promise);
            return;
        }
        if (stream.outputEnded()) {
            ReferenceCountUtil.release(msg);
            promise.setSuccess();
            return;
        }
        if (msg instanceof LastHttpContent last) {
            stream.outputEnded(true);
            ByteBuf content = last.content();
            if (last.trailingHeaders().isEmpty()) {
                data(ctx, content, true, promise);
                return;
            }
            var trailers = HttpConversionUtil.toHttp2Headers(last.trailingHeaders(), false);
            if (content.isReadable()) {
                data(ctx, content, false, ctx.voidPromise());
            } else {
                content.release();
            }
            ctx.write(new DefaultHttp2HeadersFrame(trailers, true), promise);
            return;
        }
        if (msg instanceof HttpContent c) {
            data(ctx, c.content(), false, promise);
        } else if (msg instanceof ByteBuf b) {
            data(ctx, b, false, promise);
        } else {
            // a FileRegion cannot be framed: FileResponse asks takesFileRegions() first
            ReferenceCountUtil.release(msg);
            promise.setFailure(new UnsupportedOperationException("cannot send " + msg.getClass().getSimpleName() + " over HTTP/2"));
        }
    }

    private void data(ChannelHandlerContext ctx, ByteBuf content, boolean endStream, ChannelPromise promise) {
        int n = content.readableBytes();
        if (n == 0 && !endStream) {
            // an empty DATA frame tells the client nothing, and clients count them as a flood
            content.release();
            promise.setSuccess();
            return;
        }
        ChannelPromise p = promise.unvoid();
        p.addListener(f -> {
            if (f.isSuccess()) {
                stream.sent(n + FRAME_HEADER);
            }
        });
        ctx.write(new DefaultHttp2DataFrame(content, endStream), p);
    }
}
