package dev.portico.staticfiles;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.DefaultFileRegion;
import io.netty.handler.stream.ChunkedInput;
import io.netty.util.AbstractReferenceCounted;
import io.netty.util.ReferenceCounted;
import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.FileChannel;

/**
 * An open file shared by the pieces of one response (a multipart answer sends several ranges of
 * it): reference counted, closed when the last piece is released.
 */
final class OpenFile extends AbstractReferenceCounted {
    private final FileChannel channel;
    private final long size;
    private final long mtimeSeconds;

    OpenFile(FileChannel channel, long size, long mtimeSeconds) {
        this.channel = channel;
        this.size = size;
        this.mtimeSeconds = mtimeSeconds;
    }

    long size() {
        return size;
    }

    long mtimeSeconds() {
        return mtimeSeconds;
    }

    @Override
    protected void deallocate() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing a file opened for reading
        }
    }

    @Override
    public ReferenceCounted touch(Object hint) {
        return this;
    }

    /** A zero-copy (sendfile) region of the file; holds one reference until it is released. */
    Region region(long position, long count) {
        retain();
        return new Region(this, position, count);
    }

    /** A region read in chunks through the JVM (for TLS, where sendfile cannot apply); holds one reference. */
    Chunks chunks(long position, long count) {
        retain();
        return new Chunks(this, position, count);
    }

    /** Netty's DefaultFileRegion (epoll sends it with sendfile) over the shared channel. */
    static final class Region extends DefaultFileRegion {
        private final OpenFile file;

        Region(OpenFile file, long position, long count) {
            super(file.channel, position, count);
            this.file = file;
        }

        @Override
        protected void deallocate() {
            file.release();
        }
    }

    /**
     * The file range as a ChunkedInput for ChunkedWriteHandler, or for an HTTP/2 stream, which reads
     * it as its window opens: like Netty's ChunkedNioFile (positional reads, one chunk per write as
     * the channel drains) but without closing a channel other pieces share.
     */
    static final class Chunks implements ChunkedInput<ByteBuf> {
        private static final int CHUNK = 16 * 1024;
        private final OpenFile file;
        private final long start;
        private final long end;
        private long offset;
        private boolean closed;

        Chunks(OpenFile file, long position, long count) {
            this.file = file;
            this.start = position;
            this.end = position + count;
            this.offset = position;
        }

        @Override
        public boolean isEndOfInput() {
            return offset >= end;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                file.release();
            }
        }

        @Deprecated
        @Override
        public ByteBuf readChunk(io.netty.channel.ChannelHandlerContext ctx) throws Exception {
            return readChunk(ctx.alloc());
        }

        @Override
        public ByteBuf readChunk(ByteBufAllocator allocator) throws Exception {
            if (offset >= end) {
                return null;
            }
            int n = (int) Math.min(CHUNK, end - offset);
            ByteBuf buf = allocator.buffer(n);
            boolean ok = false;
            try {
                int read = 0;
                while (read < n) {
                    int r = buf.writeBytes(file.channel, offset + read, n - read);
                    if (r < 0) {
                        throw new EOFException("file shrank while being sent");
                    }
                    read += r;
                }
                offset += n;
                ok = true;
                return buf;
            } finally {
                if (!ok) {
                    buf.release();
                }
            }
        }

        @Override
        public long length() {
            return end - start;
        }

        @Override
        public long progress() {
            return offset - start;
        }
    }
}
