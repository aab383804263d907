package dev.portico.http;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.stream.ChunkedInput;

/**
 * A file's chunks for an HTTP/2 stream: none is read while the stream's {@code limit_rate}
 * holds back more than {@link Http2StreamEncoder#HOLD_LIMIT} (Netty's chunked writer then waits
 * for {@code resumeTransfer}), so a paced download holds an open file, never a copy of it. A
 * stream child channel's writability cannot be lowered from outside, hence this.
 */
final class Http2PacedInput implements ChunkedInput<Object> {
    private final ChunkedInput<?> in;
    private final Http2StreamEncoder encoder;

    Http2PacedInput(ChunkedInput<?> in, Http2StreamEncoder encoder) {
        this.in = in;
        this.encoder = encoder;
    }

    @Override
    public boolean isEndOfInput() throws Exception {
        return in.isEndOfInput();
    }

    @Override
    public void close() throws Exception {
        in.close();
    }

    @Deprecated
    @Override
    public Object readChunk(ChannelHandlerContext ctx) throws Exception {
        return readChunk(ctx.alloc());
    }

    @Override
    public Object readChunk(ByteBufAllocator allocator) throws Exception {
        return encoder.heldBytes() >= Http2StreamEncoder.HOLD_LIMIT ? null : in.readChunk(allocator);
    }

    @Override
    public long length() {
        return in.length();
    }

    @Override
    public long progress() {
        return in.progress();
    }
}
