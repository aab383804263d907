package dev.portico.http;

import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.StreamByteDistributor;
import io.netty.handler.codec.http2.WeightedFairQueueByteDistributor;
import io.netty.util.collection.IntObjectHashMap;

/**
 * {@code http2_chunk_size}: the response body leaves in DATA frames of at most the location's
 * chunk size, as nginx slices it, whatever the window and the client's frame size would allow.
 * Netty's fair distributor decides how many bytes each stream may send; each allocation is
 * handed to the flow controller in pieces of the chunk size, and every piece becomes one frame.
 */
final class Http2ChunkedDistributor implements StreamByteDistributor {
    private final StreamByteDistributor fair;
    private final int defaultChunk;
    /** Streams whose location chose another size. */
    private final IntObjectHashMap<Integer> chunks = new IntObjectHashMap<>(4);
    private Writer outer;
    private Writer sliced;

    Http2ChunkedDistributor(Http2Connection connection, int defaultChunk) {
        this.fair = new WeightedFairQueueByteDistributor(connection);
        this.defaultChunk = defaultChunk;
    }

    /** The chunk size of one stream's response (its location's {@code http2_chunk_size}). */
    void chunkSize(int streamId, int size) {
        if (size == defaultChunk) {
            // the usual case: most locations keep the default, and a probe of an empty map is not free
            if (!chunks.isEmpty()) {
                chunks.remove(streamId);
            }
        } else {
            chunks.put(streamId, Integer.valueOf(size));
        }
    }

    void forget(int streamId) {
        if (!chunks.isEmpty()) {
            chunks.remove(streamId);
        }
    }

    @Override
    public void updateStreamableBytes(StreamState state) {
        fair.updateStreamableBytes(state);
    }

    @Override
    public void updateDependencyTree(int childStreamId, int parentStreamId, short weight, boolean exclusive) {
        fair.updateDependencyTree(childStreamId, parentStreamId, weight, exclusive);
    }

    @Override
    public boolean distribute(int maxBytes, Writer writer) throws Http2Exception {
        if (writer != outer) {
            outer = writer;
            sliced = (stream, numBytes) -> slice(writer, stream, numBytes);
        }
        return fair.distribute(maxBytes, sliced);
    }

    private void slice(Writer writer, Http2Stream stream, int numBytes) {
        Integer own = chunks.isEmpty() ? null : chunks.get(stream.id());
        int chunk = own != null ? own : defaultChunk;
        // a zero allocation still goes through once: it carries an empty frame's END_STREAM
        do {
            int n = Math.min(numBytes, chunk);
            writer.write(stream, n);
            numBytes -= n;
        } while (numBytes > 0);
    }
}
