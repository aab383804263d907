package dev.portico.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.List;

/**
 * The client's requests, decoded once: the head by {@link RequestHeadScanner}, which checks
 * every byte and builds the request as it goes; the body by its framing (Content-Length, or
 * chunked through {@link ChunkedBodyParser}), in pieces of at most 64 KiB, each passed on as it
 * arrives. Emits an {@code HttpRequest}, then {@code HttpContent}s ending with a
 * {@code LastHttpContent} (empty for a request without a body). After the first refused or
 * malformed message nothing more is decoded on the connection, so bytes smuggled behind a bad
 * head or body never become a request.
 */
final class StrictRequestDecoder extends ByteToMessageDecoder {
    private static final int MAX_PIECE = 64 * 1024;
    /** Spare room always allowed (nginx's client_header_buffer_size default). */
    private static final int SLACK = 1024;

    private final RequestHeadScanner scanner;
    private final int maxLine;
    private final int maxTrailers;
    private boolean failed;
    private boolean inBody;
    /** Body bytes still to come with a Content-Length. */
    private long remaining;
    /** The chunked body being read, or null. */
    private ChunkedBodyParser chunks;

    StrictRequestDecoder(int maxLine, int maxHeads, int maxHeaders) {
        this.scanner = new RequestHeadScanner(maxLine, maxHeads, maxHeaders);
        this.maxLine = maxLine;
        this.maxTrailers = maxHeads;
        setCumulator(this::cumulate);
    }

    /**
     * Netty's merging cumulator, then, while a head is being waited for, a copy down to its bytes
     * when the buffer is mostly empty (a large read buffer holding a few bytes, or room left
     * behind a request already decoded): an unfinished head then holds about its own size, never
     * more than large_client_header_buffers plus one read, however the bytes arrived.
     */
    private ByteBuf cumulate(ByteBufAllocator alloc, ByteBuf cumulation, ByteBuf in) {
        ByteBuf merged = MERGE_CUMULATOR.cumulate(alloc, cumulation, in);
        int n = merged.readableBytes();
        if (inBody || failed || n == 0 || merged.capacity() - n <= Math.max(SLACK, n)) {
            return merged;
        }
        ByteBuf compact = alloc.buffer(n);
        compact.writeBytes(merged, merged.readerIndex(), n);
        merged.release();
        return compact;
    }

    /** The capacity of the buffer holding bytes not decoded yet (0 when none), for tests. */
    int bufferedCapacity() {
        ByteBuf b = internalBuffer();
        return b.refCnt() == 0 ? 0 : b.capacity();
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (inBody) {
            body(in, out);
            return;
        }
        try {
            scanner.scan(in);
        } catch (RequestRejectedException e) {
            failed = true;
            out.add(scanner.rejected(e, in));
            in.skipBytes(in.readableBytes());
            return;
        }
        if (!scanner.complete()) {
            // an unfinished head stays raw bytes, bounded by large_client_header_buffers
            return;
        }
        ReceivedRequest request = scanner.request();
        long length = scanner.bodyLength();
        in.skipBytes(scanner.consumed());
        scanner.reset();
        out.add(request);
        if (length < 0) {
            chunks = new ChunkedBodyParser(maxLine, maxTrailers);
            inBody = true;
        } else if (length > 0) {
            remaining = length;
            inBody = true;
        } else {
            out.add(LastHttpContent.EMPTY_LAST_CONTENT);
        }
    }

    /** The next piece of the body that is here; ByteToMessageDecoder calls again while bytes remain. */
    private void body(ByteBuf in, List<Object> out) {
        if (chunks == null) {
            int n = (int) Math.min(Math.min(remaining, in.readableBytes()), MAX_PIECE);
            if (n == 0) {
                return;
            }
            ByteBuf piece = in.readRetainedSlice(n);
            remaining -= n;
            if (remaining == 0) {
                inBody = false;
                out.add(new DefaultLastHttpContent(piece));
            } else {
                out.add(new DefaultHttpContent(piece));
            }
            return;
        }
        Object next;
        try {
            next = chunks.next(in, MAX_PIECE);
        } catch (IllegalArgumentException e) {
            failed = true;
            in.skipBytes(in.readableBytes());
            LastHttpContent bad = new DefaultLastHttpContent();
            bad.setDecoderResult(DecoderResult.failure(e));
            out.add(bad);
            return;
        }
        if (next != null) {
            out.add(next);
            if (next instanceof LastHttpContent) {
                chunks = null;
                inBody = false;
            }
        }
    }

    /** A decoded request that knows the size of its head as received ({@code $request_length}). */
    static final class ReceivedRequest extends DefaultHttpRequest {
        int headBytes;
        /** For a refused head: the request line as received (nginx's {@code $request} then). */
        String line;

        ReceivedRequest(HttpVersion version, HttpMethod method, String uri, HttpHeadersFactory headers) {
            super(version, method, uri, headers);
        }

        ReceivedRequest(HttpVersion version, HttpMethod method, String uri, HttpHeaders headers) {
            super(version, method, uri, headers);
        }
    }
}
