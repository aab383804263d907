package dev.portico.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2RemoteFlowController;

/**
 * What the codec decodes, handed to the stream it belongs to: the first HEADERS of a stream makes
 * its {@link Http2Stream} (kept as a property of Netty's stream, so a frame finds it without a
 * map), later HEADERS are trailers, DATA is request body, RST_STREAM cancels; the stream hears
 * of its close and of changes in whether its response can be sent (its window, the
 * connection's window and the socket). SETTINGS, PING, WINDOW_UPDATE and GOAWAY are the codec's
 * business.
 */
final class Http2StreamDispatcher extends Http2FrameAdapter implements Http2RemoteFlowController.Listener {
    private final Http2Connection conn;
    private final io.netty.handler.codec.http2.Http2Connection connection;
    private final io.netty.handler.codec.http2.Http2Connection.PropertyKey key;

    Http2StreamDispatcher(Http2Connection conn, io.netty.handler.codec.http2.Http2Connection connection) {
        this.conn = conn;
        this.connection = connection;
        this.key = connection.newKey();
        connection.addListener(new Http2ConnectionAdapter() {
            @Override
            public void onStreamClosed(io.netty.handler.codec.http2.Http2Stream stream) {
                Http2Stream s = stream.removeProperty(key);
                if (s != null) {
                    s.closed();
                    conn.closed(stream.id());
                }
            }
        });
        connection.remote().flowController().listener(this);
    }

    private Http2Stream stream(int streamId) {
        io.netty.handler.codec.http2.Http2Stream s = connection.stream(streamId);
        return s == null ? null : s.getProperty(key);
    }

    @Override
    public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int padding, boolean endOfStream) {
        io.netty.handler.codec.http2.Http2Stream s = connection.stream(streamId);
        Http2Stream stream = s.getProperty(key);
        if (stream != null) {
            stream.trailers(headers);
            return;
        }
        stream = new Http2Stream(conn, s);
        s.setProperty(key, stream);
        conn.opened();
        stream.start(headers, endOfStream);
    }

    @Override
    public void onHeadersRead(ChannelHandlerContext ctx, int streamId, Http2Headers headers, int streamDependency, short weight,
                              boolean exclusive, int padding, boolean endOfStream) {
        onHeadersRead(ctx, streamId, headers, padding, endOfStream);
    }

    /** The bytes a stream takes now go back to the client's window at once; the rest as the exchange reads them. */
    @Override
    public int onDataRead(ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endOfStream) {
        Http2Stream stream = stream(streamId);
        if (stream == null) {
            return data.readableBytes() + padding;
        }
        return stream.data(data, endOfStream) + padding;
    }

    @Override
    public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
        Http2Stream stream = stream(streamId);
        if (stream != null) {
            // the codec closes the stream next, which ends the exchange
            stream.resetByClient(errorCode);
        }
    }

    @Override
    public void onGoAwayRead(ChannelHandlerContext ctx, int lastStreamId, long errorCode, ByteBuf debugData) {
        conn.goAwayRead(errorCode);
    }

    @Override
    public void writabilityChanged(io.netty.handler.codec.http2.Http2Stream s) {
        Http2Stream stream = s.getProperty(key);
        if (stream != null) {
            stream.writabilityChanged();
        }
    }
}
