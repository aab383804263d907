package dev.portico.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A temporary file for a request body ({@code client_body_temp_path}) or a response being
 * buffered ({@code proxy_temp_path}), named like nginx's ({@code 0000000001}). Every file
 * operation runs on a small I/O pool, one at a time per file and in order; results come back
 * on the event loop that asked. The file is deleted when closed.
 */
final class TempFile {
    private static final AtomicLong NUMBERS = new AtomicLong();
    private static final ExecutorService IO = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "portico-file-io");
        t.setDaemon(true);
        return t;
    });

    private final Path path;
    private final EventLoop loop;
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
    private boolean running;
    private FileChannel channel;
    private boolean closed;
    /** Bytes written so far (updated on the event loop when a write completes). */
    private long written;
    private long writing;

    TempFile(Path dir, EventLoop loop) {
        this.path = dir.resolve(String.format("%010d", NUMBERS.incrementAndGet()));
        this.loop = loop;
    }

    Path path() {
        return path;
    }

    /** Bytes whose write completed. */
    long written() {
        return written;
    }

    /** Bytes handed to {@link #append} whose write has not completed yet. */
    long writing() {
        return writing;
    }

    /** Appends the bytes (released afterwards); {@code done} runs on the event loop. */
    void append(ByteBuf buf, Runnable done, Consumer<Throwable> failed) {
        int n = buf.readableBytes();
        writing += n;
        submit(() -> {
            try {
                open();
                long pos = channel.size();
                while (buf.isReadable()) {
                    int w = channel.write(buf.nioBuffer(), pos);
                    buf.skipBytes(w);
                    pos += w;
                }
                loop.execute(() -> {
                    writing -= n;
                    written += n;
                    done.run();
                });
            } catch (IOException | RuntimeException e) {
                loop.execute(() -> failed.accept(e));
            } finally {
                ReferenceCountUtil.release(buf);
            }
        });
    }

    /** Reads up to {@code max} bytes at {@code position}; {@code done} gets a buffer it must release. */
    void read(long position, int max, Consumer<ByteBuf> done, Consumer<Throwable> failed) {
        submit(() -> {
            ByteBuf b = null;
            try {
                open();
                b = PooledByteBufAllocator.DEFAULT.directBuffer(max);
                int total = 0;
                while (total < max) {
                    int r = b.writeBytes(channel, position + total, max - total);
                    if (r <= 0) {
                        break;
                    }
                    total += r;
                }
                ByteBuf out = b;
                b = null;
                loop.execute(() -> done.accept(out));
            } catch (IOException | RuntimeException e) {
                loop.execute(() -> failed.accept(e));
            } finally {
                if (b != null) {
                    b.release();
                }
            }
        });
    }

    /** Closes and deletes the file (in the background). */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        submit(() -> {
            try {
                if (channel != null) {
                    channel.close();
                }
                Files.deleteIfExists(path);
            } catch (IOException ignored) {
                // a temporary file we could not delete is not worth failing a request for
            }
        });
    }

    private void open() throws IOException {
        if (channel == null) {
            Files.createDirectories(path.getParent());
            channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
        }
    }

    /** Runs file tasks one after another, in submission order. */
    private void submit(Runnable task) {
        synchronized (queue) {
            queue.add(task);
            if (running) {
                return;
            }
            running = true;
        }
        IO.execute(this::drain);
    }

    private void drain() {
        while (true) {
            Runnable next;
            synchronized (queue) {
                next = queue.poll();
                if (next == null) {
                    running = false;
                    return;
                }
            }
            next.run();
        }
    }
}
