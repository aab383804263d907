package dev.portico.http;

import dev.portico.observability.ErrorLog;
import dev.portico.observability.LogLevel;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DecoratingHttp2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameListener;
import io.netty.handler.codec.http2.Http2FrameListenerDecorator;
import io.netty.handler.codec.http2.Http2Headers;
import java.util.List;
import java.util.Map;

/**
 * {@code large_client_header_buffers} over HTTP/2, as ngx_http_v2_module applies it: a header
 * name or value longer than the buffer size as sent (its HPACK literal, Huffman-coded or not)
 * ends the connection with GOAWAY {@code ENHANCE_YOUR_CALM} ("client sent too large header
 * field"), and so does a header list whose decoded names and values add up to more than
 * number × size ("client sent too large header"), both logged at {@code info}. The literals are
 * measured by {@link Http2FieldScanner} ahead of the codec, the list once the codec decoded it.
 */
final class Http2HeaderLimits extends DecoratingHttp2ConnectionDecoder {
    private final Http2FieldScanner scanner;
    private final long maxList;
    /** Bytes the scanner has seen beyond what the codec took from the buffer. */
    private long ahead;

    Http2HeaderLimits(Http2ConnectionDecoder delegate, long maxField, long maxList) {
        super(delegate);
        this.scanner = new Http2FieldScanner(maxField);
        this.maxList = maxList;
    }

    /** The limit broken, as nginx words it; the codec answers it with GOAWAY and closes. */
    static final class TooLarge extends Http2Exception {
        private static final long serialVersionUID = 1L;

        TooLarge(String message) {
            super(Http2Error.ENHANCE_YOUR_CALM, message);
        }
    }

    @Override
    public void decodeFrame(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Http2Exception {
        int reader = in.readerIndex();
        long readerPosition = scanner.position() - ahead;
        long bad = scanner.scan(in, (int) (reader + ahead), in.writerIndex());
        if (bad >= 0) {
            // the frames before the offending one are served first, as nginx reads them in order
            long stop = reader + (bad - readerPosition);
            if (stop > reader) {
                int writer = in.writerIndex();
                in.writerIndex((int) stop);
                try {
                    super.decodeFrame(ctx, in, out);
                } finally {
                    in.writerIndex(writer);
                }
            }
            throw new TooLarge("client sent too large header field");
        }
        super.decodeFrame(ctx, in, out);
        ahead = scanner.position() - (readerPosition + in.readerIndex() - reader);
    }

    @Override
    public void frameListener(Http2FrameListener listener) {
        super.frameListener(listener == null ? null : new ListLimit(listener));
    }

    @Override
    public Http2FrameListener frameListener() {
        Http2FrameListener l = super.frameListener();
        return l instanceof ListLimit limit ? limit.inner() : l;
    }

    /** The decoded list, pseudo-header fields included, counted as nginx counts it (no per-field overhead). */
    private final class ListLimit extends Http2FrameListenerDecorator {
        ListLimit(Http2FrameListener listener) {
            super(listener);
        }

        Http2FrameListener inner() {
            return listener;
        }

        @Override
        public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding, boolean endOfStream)
            throws Http2Exception {
            check(headers);
            super.onHeadersRead(ctx, streamId, headers, padding, endOfStream);
        }

        @Override
        public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int streamDependency, short weight,
                                  boolean exclusive, int padding, boolean endOfStream) throws Http2Exception {
            check(headers);
            super.onHeadersRead(ctx, streamId, headers, streamDependency, weight, exclusive, padding, endOfStream);
        }

        private void check(Http2Headers headers) throws TooLarge {
            long total = 0;
            for (Map.Entry<CharSequence, CharSequence> e : headers) {
                total += e.getKey().length() + e.getValue().length();
                if (total > maxList) {
                    throw new TooLarge("client sent too large header");
                }
            }
        }
    }

    /** Logs a broken limit with nginx's line and context; the codec has already sent GOAWAY. */
    static final class Log extends ChannelInboundHandlerAdapter {
        private final ClientConnection connection;

        Log(ClientConnection connection) {
            this.connection = connection;
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof TooLarge) {
                ErrorLog.get().log(LogLevel.INFO, connection.id(), cause.getMessage() + " while processing HTTP/2 connection, client: "
                    + connection.remoteHost() + ", server: " + connection.listener().socket().addrText());
                return;
            }
            ctx.fireExceptionCaught(cause);
        }
    }
}
