package dev.portico.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.handler.stream.ChunkedInput;
import io.netty.util.ReferenceCountUtil;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A stream's response as HTTP/2 frames, written straight to the connection's encoder (whose
 * remote flow controller sends them as the windows allow): the head as HEADERS, body pieces as
 * DATA, the last piece with END_STREAM, trailers as a final HEADERS frame. After a response
 * without body (HEAD, 204, 304) ended the stream with its HEADERS, body writes are dropped.
 *
 * <p>A file ({@code ChunkedInput}) is read one chunk at a time while the stream's window has room
 * and little of it is still on its way to the socket, so a slow client holds an open file, never a
 * copy of it; writes after it wait their turn.
 *
 * <p>{@code limit_rate} paces the stream here: once a rate is set, frames past the allowance
 * (one second's worth to start, then the rate) are held and released by a timer, in order;
 * {@link #heldBytes()} tells the stream how much is held, so its producers stop
 * ({@link Http2Stream#isWritable()}) and resume when it drains.
 */
final class Http2StreamEncoder {
    /** A DATA frame's header on the wire, counted into $bytes_sent. */
    private static final int FRAME_HEADER = 9;

    /** Held bytes above which producers stop; they resume below half of it. */
    static final int HOLD_LIMIT = 64 * 1024;

    /** File bytes written and not yet on the socket above which the next chunk waits. */
    private static final int FILE_AHEAD = 64 * 1024;

    /** A frame (DATA: a ByteBuf; trailers: Http2Headers) or a file, waiting its turn. */
    private record Held(Object what, boolean endStream, ChannelPromise promise, int size) {
    }

    private final Http2Stream stream;
    private final Http2ServerCodec codec;
    private final ChannelHandlerContext ctx;
    private final Http2ConnectionEncoder out;
    private final int id;
    private boolean ended;
    private long rate;
    private double allowance;
    private long refilledAt;
    private ArrayDeque<Held> held;
    private long heldBytes;
    private ScheduledFuture<?> drainTimer;
    private boolean draining;
    private boolean drainAgain;
    private int fileAhead;

    Http2StreamEncoder(Http2Stream stream, Http2ServerCodec codec, io.netty.handler.codec.http2.Http2Stream h2) {
        this.stream = stream;
        this.codec = codec;
        this.ctx = codec.context();
        this.out = codec.encoder();
        this.id = h2.id();
    }

    /** Paces the rest of the response at {@code bytesPerSecond}, with a first second's worth let through at once. */
    void rate(long bytesPerSecond) {
        rate = bytesPerSecond;
        allowance = bytesPerSecond;
        refilledAt = System.nanoTime();
    }

    long heldBytes() {
        return heldBytes;
    }

    /** The stream's output is over (END_STREAM written or queued): later body writes are dropped. */
    boolean ended() {
        return ended;
    }

    /** The response head; with {@code endStream} (no body) the stream's output ends with it. */
    void headers(Http2Headers headers, boolean endStream, ChannelPromise promise) {
        ended |= endStream;
        send(headers, endStream, promise, 0);
    }

    /**
     * A piece of the body: an {@code HttpContent} (the last one ends the stream), a {@code ByteBuf}
     * or a {@code ChunkedInput}. Returns the bytes of the DATA frame it makes, header included
     * ($bytes_sent counts them once the write succeeds); a file's chunks are counted as they go.
     */
    int write(Object msg, ChannelPromise promise) {
        if (ended) {
            if (msg instanceof ChunkedInput<?> in) {
                closeQuietly(in);
            }
            ReferenceCountUtil.release(msg);
            promise.setSuccess();
            return 0;
        }
        if (msg instanceof LastHttpContent last) {
            ended = true;
            ByteBuf content = last.content();
            if (last.trailingHeaders().isEmpty()) {
                return data(content, true, promise);
            }
            Http2Headers trailers = HttpConversionUtil.toHttp2Headers(last.trailingHeaders(), false);
            int n = 0;
            if (content.isReadable()) {
                n = data(content, false, ctx.newPromise());
            } else {
                content.release();
            }
            send(trailers, true, promise, 0);
            return n;
        } else if (msg instanceof HttpContent c) {
            return data(c.content(), false, promise);
        } else if (msg instanceof ByteBuf b) {
            return data(b, false, promise);
        } else if (msg instanceof ChunkedInput<?> in) {
            hold(new Held(in, false, promise, 0));
            drain();
        } else {
            // a FileRegion cannot be framed: FileResponse asks takesFileRegions() first
            ReferenceCountUtil.release(msg);
            promise.setFailure(new UnsupportedOperationException("cannot send " + msg.getClass().getSimpleName() + " over HTTP/2"));
        }
        return 0;
    }

    private int data(ByteBuf content, boolean endStream, ChannelPromise promise) {
        int n = content.readableBytes();
        if (n == 0 && !endStream) {
            // an empty DATA frame tells the client nothing, and clients count them as a flood
            content.release();
            promise.setSuccess();
            return 0;
        }
        send(content, endStream, promise, n);
        return n + FRAME_HEADER;
    }

    /** Writes a frame now, or holds it behind others or past the rate's allowance. */
    private void send(Object frame, boolean endStream, ChannelPromise promise, int size) {
        if (held == null || held.isEmpty()) {
            if (rate <= 0) {
                writeNow(frame, endStream, promise);
                return;
            }
            refill();
            if (allowance > 0 || size == 0) {
                allowance -= size;
                writeNow(frame, endStream, promise);
                return;
            }
        }
        hold(new Held(frame, endStream, promise, size));
        scheduleDrain();
    }

    private void writeNow(Object frame, boolean endStream, ChannelPromise promise) {
        if (frame instanceof ByteBuf b) {
            out.writeData(ctx, id, b, 0, endStream, promise);
        } else {
            out.writeHeaders(ctx, id, (Http2Headers) frame, 0, endStream, promise);
        }
    }

    private void hold(Held h) {
        if (held == null) {
            held = new ArrayDeque<>(4);
        }
        held.add(h);
        heldBytes += h.size();
    }

    private void refill() {
        long now = System.nanoTime();
        allowance = Math.min(rate, allowance + rate * ((now - refilledAt) / 1e9));
        refilledAt = now;
    }

    private void scheduleDrain() {
        if (drainTimer != null || held == null || held.isEmpty() || rate <= 0) {
            return;
        }
        long wait = allowance > 0 ? 0 : (long) Math.ceil((1 - allowance) * 1e9 / rate);
        drainTimer = ctx.executor().schedule(() -> {
            drainTimer = null;
            drain();
        }, Math.max(wait, 1_000_000), TimeUnit.NANOSECONDS);
    }

    /** The stream's window opened, or its file's chunks reached the socket: the file goes on. */
    void resume() {
        if (held != null && !held.isEmpty() && held.peek().what() instanceof ChunkedInput) {
            drain();
        }
    }

    /**
     * Writes what is held, in order, as far as the rate and the stream's window allow. Chunks that
     * reach the socket during the flush may let the file go on: then another round.
     */
    private void drain() {
        if (draining) {
            drainAgain = true;
            return;
        }
        draining = true;
        boolean wroteHeld = false;
        try {
            do {
                drainAgain = false;
                Written w = drainOnce();
                wroteHeld |= w.held;
                if (w.held || w.file) {
                    stream.flush();
                }
            } while (drainAgain);
        } finally {
            draining = false;
        }
        scheduleDrain();
        if (wroteHeld && heldBytes < HOLD_LIMIT / 2) {
            stream.outputDrained();
        }
    }

    /** What one round of {@link #drain()} wrote: held frames, file chunks. */
    private record Written(boolean held, boolean file) {
    }

    private Written drainOnce() {
        if (rate > 0) {
            refill();
        }
        boolean wrote = false;
        boolean file = false;
        Held h;
        while ((h = held.peek()) != null) {
            if (h.what() instanceof ChunkedInput<?> in) {
                int before = fileAhead;
                boolean done = pump(in, h.promise());
                file |= fileAhead != before || done;
                if (!done) {
                    break;
                }
                held.poll();
                continue;
            }
            if (rate > 0 && allowance <= 0 && h.size() > 0) {
                break;
            }
            held.poll();
            heldBytes -= h.size();
            allowance -= h.size();
            writeNow(h.what(), h.endStream(), h.promise());
            wrote = true;
        }
        return new Written(wrote, file);
    }

    /**
     * Sends a file's chunks while the stream's window has room, little is on its way to the socket
     * and the rate allows; true once the whole file was written.
     */
    private boolean pump(ChunkedInput<?> in, ChannelPromise promise) {
        try {
            while (!in.isEndOfInput()) {
                if (fileAhead >= FILE_AHEAD || !stream.windowOpen() || rate > 0 && allowance <= 0) {
                    return false;
                }
                Object chunk = in.readChunk(ctx.alloc());
                if (chunk == null) {
                    if (in.isEndOfInput()) {
                        break;
                    }
                    return false;
                }
                ByteBuf b = chunk instanceof ByteBufHolder bh ? bh.content() : (ByteBuf) chunk;
                int n = b.readableBytes();
                boolean last = in.isEndOfInput();
                ChannelPromise p = last ? promise : ctx.newPromise();
                fileAhead += n;
                allowance -= n;
                p.addListener(new FileChunkSent(n));
                out.writeData(ctx, id, b, 0, false, p);
                if (last) {
                    in.close();
                    return true;
                }
            }
            // an empty file, or one whose end showed without a last chunk
            in.close();
            promise.trySuccess();
            return true;
        } catch (Exception e) {
            closeQuietly(in);
            promise.tryFailure(e);
            // the response cannot be complete: the rest must not follow as if it were
            stream.abortOutput();
            return false;
        }
    }

    /** Drops what is held: the stream was reset or closed. */
    void drop() {
        ended = true;
        if (drainTimer != null) {
            drainTimer.cancel(false);
            drainTimer = null;
        }
        if (held == null) {
            return;
        }
        Held h;
        while ((h = held.poll()) != null) {
            if (h.what() instanceof ChunkedInput<?> in) {
                closeQuietly(in);
            } else {
                ReferenceCountUtil.release(h.what());
            }
            h.promise().tryFailure(new ClosedChannelException());
        }
        heldBytes = 0;
    }

    static void closeQuietly(ChunkedInput<?> in) {
        try {
            in.close();
        } catch (Exception ignored) {
            // a file nobody will read
        }
    }

    /** A file chunk left: $bytes_sent counts it, and once little is on its way the next ones are read. */
    private final class FileChunkSent implements ChannelFutureListener {
        private final int n;

        FileChunkSent(int n) {
            this.n = n;
        }

        @Override
        public void operationComplete(ChannelFuture f) {
            fileAhead -= n;
            if (f.isSuccess()) {
                stream.sent(n + FRAME_HEADER);
                if (fileAhead < FILE_AHEAD / 2) {
                    resume();
                }
            }
        }
    }
}
