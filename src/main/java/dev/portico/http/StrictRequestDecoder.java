package dev.portico.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.List;

/**
 * Netty's request decoder behind a {@link RequestHeadScanner}: every request head is checked
 * byte by byte before Netty parses it. After the first refused or malformed message nothing more
 * is decoded on the connection, so bytes smuggled behind a bad head never become a request.
 */
final class StrictRequestDecoder extends HttpRequestDecoder {
    private final RequestHeadScanner scanner;
    private boolean inBody;
    private boolean failed;

    StrictRequestDecoder(int maxLine, int maxHeads, int maxHeaders) {
        super(new HttpDecoderConfig()
            // our scanner enforces the real limits; Netty's are a backstop a little above them
            .setMaxInitialLineLength(maxLine + 2)
            .setMaxHeaderSize(maxHeads + 2)
            .setMaxChunkSize(64 * 1024)
            .setStrictLineParsing(true)
            .setAllowDuplicateContentLengths(false)
            // header names nginx would ignore (ignore_invalid_headers) must reach RequestHead, not fail here
            .setHeadersFactory(DefaultHttpHeadersFactory.headersFactory().withNameValidation(false))
            .setTrailersFactory(DefaultHttpHeadersFactory.trailersFactory().withNameValidation(false)));
        this.scanner = new RequestHeadScanner(maxLine, maxHeads, maxHeaders);
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

    /** Spare room always allowed (nginx's client_header_buffer_size default). */
    private static final int SLACK = 1024;

    /** The capacity of the buffer holding bytes not decoded yet (0 when none), for tests. */
    int bufferedCapacity() {
        ByteBuf b = internalBuffer();
        return b.refCnt() == 0 ? 0 : b.capacity();
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (!inBody) {
            try {
                scanner.scan(in);
            } catch (RequestRejectedException e) {
                failed = true;
                out.add(scanner.rejected(e, in));
                in.skipBytes(in.readableBytes());
                return;
            }
            if (!scanner.complete()) {
                // Netty would turn each finished line into Strings at once (about twice the bytes, on
                // the heap); an unfinished head stays raw bytes, bounded by large_client_header_buffers
                return;
            }
        }
        int before = out.size();
        super.decode(ctx, in, out);
        for (int i = before; i < out.size(); i++) {
            Object o = out.get(i);
            if (o instanceof HttpObject h && h.decoderResult().isFailure()) {
                failed = true;
            }
            if (o instanceof HttpRequest) {
                if (o instanceof ReceivedRequest r) {
                    r.headBytes = scanner.headBytes();
                }
                inBody = true;
                scanner.reset();
            }
            if (o instanceof LastHttpContent) {
                inBody = false;
            }
        }
    }

    @Override
    protected HttpMessage createMessage(String[] initialLine) throws Exception {
        // Netty's own parse (strict version check), re-wrapped to carry the head's size
        HttpRequest parsed = (HttpRequest) super.createMessage(initialLine);
        return new ReceivedRequest(parsed.protocolVersion(), parsed.method(), parsed.uri(), headersFactory);
    }

    /** A decoded request that knows the size of its head as received ({@code $request_length}). */
    static final class ReceivedRequest extends DefaultHttpRequest {
        int headBytes;
        /** For a refused head: the request line as received (nginx's {@code $request} then). */
        String line;

        ReceivedRequest(HttpVersion version, HttpMethod method, String uri, HttpHeadersFactory headers) {
            super(version, method, uri, headers);
        }
    }
}
