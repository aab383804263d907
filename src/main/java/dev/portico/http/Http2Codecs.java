package dev.portico.http;

import dev.portico.config.directive.Settings;
import io.netty.handler.codec.http2.AbstractHttp2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.DefaultHttp2Connection;
import io.netty.handler.codec.http2.DefaultHttp2RemoteFlowController;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2Settings;

/**
 * Netty's HTTP/2 connection codec for a client connection, set from the server that owns the
 * connection: the SETTINGS it announces ({@code http2_max_concurrent_streams},
 * {@code http2_body_preread_size} as the streams' initial window, a header list limit), the DATA
 * frame size ({@code http2_chunk_size}), nginx's header limits of
 * {@code large_client_header_buffers} ({@link Http2HeaderLimits}), and the codec's protections
 * against abusive peers (rapid reset, control frame and empty frame floods).
 */
final class Http2Codecs {
    /** RST_STREAM frames a client may send within {@link #RST_WINDOW_SECONDS} (CVE-2023-44487, rapid reset). */
    static final int MAX_RST_FRAMES = 200;
    static final int RST_WINDOW_SECONDS = 30;
    /**
     * RST_STREAM frames Portico may send within {@link #RST_WINDOW_SECONDS}: a client that makes
     * the server reset that many streams (its own stream errors, bodies a response did not need)
     * is abusive too ("MadeYouReset", CVE-2025-8671).
     */
    static final int MAX_SENT_RST_FRAMES = 200;
    /** Control frames (SETTINGS ACK, PING ACK, RST) queued for a client that does not read: more is a flood. */
    static final int MAX_QUEUED_CONTROL_FRAMES = 10_000;
    /** DATA frames without payload or END_STREAM in a row: more is a flood. */
    static final int MAX_CONSECUTIVE_EMPTY_DATA = 2;

    private Http2Codecs() {
    }

    record Built(Http2ServerCodec codec, Http2ChunkedDistributor chunks) {
    }

    /** The codec of {@code conn}, whose streams it serves. */
    static Built build(Http2Connection conn) {
        Settings s = conn.settings();
        DefaultHttp2Connection connection = new DefaultHttp2Connection(true);
        int chunk = (int) Math.min(Integer.MAX_VALUE, s.get(Http2Module.CHUNK_SIZE));
        Http2ChunkedDistributor chunks = new Http2ChunkedDistributor(connection, chunk);
        connection.remote().flowController(new DefaultHttp2RemoteFlowController(connection, chunks));
        long field = s.get(HttpModule.LARGE_HEADER_BUFFER_SIZE);
        long headerList = field * s.get(HttpModule.LARGE_HEADER_BUFFER_NUMBER);
        Http2Settings settings = new Http2Settings()
            .maxConcurrentStreams(s.get(Http2Module.MAX_CONCURRENT_STREAMS))
            .initialWindowSize((int) Math.min(Http2Module.MAX_WINDOW, s.get(Http2Module.BODY_PREREAD_SIZE)))
            .maxHeaderListSize(Math.min(codecListLimit(headerList), 0xFFFFFFFFL));
        return new Built(new Builder(connection, conn, field, headerList).build(settings), chunks);
    }

    /**
     * The header list size the codec enforces (and announces): high enough never to refuse a list
     * nginx takes, since HTTP/2 counts 32 bytes more per field than nginx does and a field of
     * nginx's list weighs at least a byte; {@link Http2HeaderLimits} applies nginx's own count.
     */
    static long codecListLimit(long nginxLimit) {
        return nginxLimit * 33;
    }

    /**
     * The builder with a connection of our making (its remote flow controller slices DATA frames)
     * and nginx's header limits in front of the decoder it builds.
     */
    private static final class Builder extends AbstractHttp2ConnectionHandlerBuilder<Http2ServerCodec, Builder> {
        private final Http2Connection conn;
        private final long maxField;
        private final long maxList;

        Builder(DefaultHttp2Connection connection, Http2Connection conn, long maxField, long maxList) {
            this.conn = conn;
            this.maxField = maxField;
            this.maxList = maxList;
            connection(connection);
        }

        Http2ServerCodec build(Http2Settings settings) {
            // GOAWAY and the wait for streams to finish are Http2Connection's: a close is a close
            return initialSettings(settings)
                .decoupleCloseAndGoAway(true)
                .gracefulShutdownTimeoutMillis(0)
                .decoderEnforceMaxRstFramesPerWindow(MAX_RST_FRAMES, RST_WINDOW_SECONDS)
                .encoderEnforceMaxRstFramesPerWindow(MAX_SENT_RST_FRAMES, RST_WINDOW_SECONDS)
                .encoderEnforceMaxQueuedControlFrames(MAX_QUEUED_CONTROL_FRAMES)
                .decoderEnforceMaxConsecutiveEmptyDataFrames(MAX_CONSECUTIVE_EMPTY_DATA)
                .validateHeaders(true)
                .build();
        }

        @Override
        protected Http2ServerCodec build(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder, Http2Settings initialSettings) {
            return new Http2ServerCodec(new Http2HeaderLimits(decoder, maxField, maxList), encoder, initialSettings,
                decoupleCloseAndGoAway(), conn);
        }
    }
}
