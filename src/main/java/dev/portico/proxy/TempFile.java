package dev.portico.proxy;

import dev.portico.http.TempPath;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A temporary file for a request body ({@code client_body_temp_path}) or a response being
 * buffered ({@code proxy_temp_path}), named like nginx's ({@code 0000000001}). Every file
 * operation runs on a small I/O pool, one at a time per file and in order; results come back
 * on the event loop that asked.
 *
 * <p>As nginx's {@code ngx_create_temp_file}: directories are made 0700 and the file 0600 with
 * {@code O_CREAT|O_EXCL} (a name that exists, even a planted symlink, is skipped, never reused or
 * removed), and the name is unlinked at once, so only the open channel holds the data and nothing
 * is left behind after a crash. Beyond nginx (which counts from 1), the counter starts at a random
 * value so that two runs sharing a directory do not walk the same names.
 */
final class TempFile {
    private static final AtomicLong NUMBERS = new AtomicLong(new SecureRandom().nextInt(Integer.MAX_VALUE / 2));
    private static final FileAttribute<Set<PosixFilePermission>> DIR_MODE =
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
    private static final FileAttribute<Set<PosixFilePermission>> FILE_MODE =
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    private static final Set<StandardOpenOption> OPTIONS =
        EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
    /** nginx tries names for ever; a bound keeps a directory full of planted names from pinning an I/O thread. */
    private static final int ATTEMPTS = 1000;
    private static final ExecutorService IO = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "portico-file-io");
        t.setDaemon(true);
        return t;
    });

    private final TempPath dir;
    private final EventLoop loop;
    private final Consumer<Path> created;
    /** The name the file had, set once it is created (on the I/O thread). */
    private volatile Path path;
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
    private boolean running;
    private FileChannel channel;
    private boolean closed;
    /** Bytes written so far (updated on the event loop when a write completes). */
    private long written;
    private long writing;

    /** {@code created} runs on the event loop with the file's (already unlinked) name. */
    TempFile(TempPath dir, EventLoop loop, Consumer<Path> created) {
        this.dir = dir;
        this.loop = loop;
        this.created = created;
    }

    /** The file's name once created, the directory before. */
    Path path() {
        Path p = path;
        return p != null ? p : dir.dir();
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

    /** Closes the file (in the background); its name is gone already. */
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
            } catch (IOException ignored) {
                // closing a file nobody can reach any more cannot lose data
            }
        });
    }

    private void open() throws IOException {
        if (channel != null) {
            return;
        }
        for (int i = 0; i < ATTEMPTS; i++) {
            Path p = dir.file(String.format("%010d", NUMBERS.incrementAndGet() & 0xffffffffL));
            try {
                channel = create(p);
            } catch (FileAlreadyExistsException taken) {
                continue; // someone else's file: leave it alone, try the next name
            }
            try {
                Files.delete(p);
            } catch (IOException e) {
                channel.close();
                channel = null;
                throw e;
            }
            path = p;
            loop.execute(() -> created.accept(p));
            return;
        }
        throw new FileAlreadyExistsException(dir.dir().toString(), null, "no free temporary file name");
    }

    private static FileChannel create(Path p) throws IOException {
        try {
            return FileChannel.open(p, OPTIONS, FILE_MODE);
        } catch (NoSuchFileException e) {
            Files.createDirectories(p.getParent(), DIR_MODE);
            return FileChannel.open(p, OPTIONS, FILE_MODE);
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
