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
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A stream's response body as HTTP/2 frames: body pieces (and the file chunks a
 * {@code ChunkedWriteHandler} reads) become DATA frames, the last piece ends the stream, and
 * trailers go as a final HEADERS frame. Frames the stream writes itself (HEADERS, RST_STREAM)
 * pass as they are. After a response without body (HEAD, 204, 304) ended the stream with its
 * HEADERS, body writes are dropped.
 *
 * <p>{@code limit_rate} paces the stream here: once a rate is set, frames past the allowance
 * (one second's worth to start, then the rate) are held and released by a timer, in order;
 * {@link #heldBytes()} tells the stream how much is held, so its producers stop
 * ({@link Http2Stream#isWritable()}, {@link Http2PacedInput}) and resume when it drains.
 */
final class Http2StreamEncoder extends ChannelOutboundHandlerAdapter {
    /** A DATA frame's header on the wire, counted into $bytes_sent. */
    private static final int FRAME_HEADER = 9;

    /** Held bytes above which producers stop; they resume below half of it. */
    static final int HOLD_LIMIT = 64 * 1024;

    private record Held(Http2Frame frame, ChannelPromise promise, int size) {
    }

    private final Http2Stream stream;
    private ChannelHandlerContext ctx;
    private long rate;
    private double allowance;
    private long refilledAt;
    private final ArrayDeque<Held> held = new ArrayDeque<>();
    private long heldBytes;
    private ScheduledFuture<?> drainTimer;

    Http2StreamEncoder(Http2Stream stream) {
        this.stream = stream;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        dropHeld();
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        dropHeld();
        ctx.close(promise);
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

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof io.netty.handler.codec.http2.Http2ResetFrame) {
            // a reset ends the stream at once: what the rate held back goes nowhere
            dropHeld();
            ctx.write(msg, promise);
            return;
        }
        if (msg instanceof Http2Frame f) {
            send(f, promise, 0);
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
            send(new DefaultHttp2HeadersFrame(trailers, true), promise, 0);
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
        send(new DefaultHttp2DataFrame(content, endStream), p, n);
    }

    /** Writes a frame now, or holds it behind others or past the rate's allowance. */
    private void send(Http2Frame frame, ChannelPromise promise, int size) {
        if (rate <= 0 && held.isEmpty()) {
            ctx.write(frame, promise);
            return;
        }
        refill();
        if (held.isEmpty() && (allowance > 0 || size == 0)) {
            allowance -= size;
            ctx.write(frame, promise);
            return;
        }
        held.add(new Held(frame, promise.unvoid(), size));
        heldBytes += size;
        scheduleDrain();
    }

    private void refill() {
        long now = System.nanoTime();
        allowance = Math.min(rate, allowance + rate * ((now - refilledAt) / 1e9));
        refilledAt = now;
    }

    private void scheduleDrain() {
        if (drainTimer != null || held.isEmpty()) {
            return;
        }
        long wait = allowance > 0 ? 0 : (long) Math.ceil((1 - allowance) * 1e9 / rate);
        drainTimer = ctx.executor().schedule(this::drain, Math.max(wait, 1_000_000), TimeUnit.NANOSECONDS);
    }

    private void drain() {
        drainTimer = null;
        refill();
        boolean wrote = false;
        while (!held.isEmpty() && (allowance > 0 || held.peek().size() == 0)) {
            Held h = held.poll();
            heldBytes -= h.size();
            allowance -= h.size();
            ctx.write(h.frame(), h.promise());
            wrote = true;
        }
        if (wrote) {
            ctx.flush();
        }
        scheduleDrain();
        if (heldBytes < HOLD_LIMIT / 2) {
            stream.outputDrained();
        }
    }

    private void dropHeld() {
        if (drainTimer != null) {
            drainTimer.cancel(false);
            drainTimer = null;
        }
        Held h;
        while ((h = held.poll()) != null) {
            ReferenceCountUtil.release(h.frame());
            h.promise().tryFailure(new java.nio.channels.ClosedChannelException());
        }
        heldBytes = 0;
    }
}
