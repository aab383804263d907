package dev.portico.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;

/**
 * An upstream connection's receive-buffer allocator: Netty's adaptive sizing, plus an optional
 * cap on the bytes of the next read. {@code proxy_limit_rate} reads no more than its allowance,
 * as nginx does, instead of taking a whole read (up to 256 KiB) and then waiting it off.
 * One instance per connection; used only on its event loop.
 */
final class ReadBudget implements RecvByteBufAllocator {
    private final RecvByteBufAllocator sizing;
    /** Bytes the read under way (or the next one) may still take; -1: no cap. */
    private long left = -1;

    ReadBudget(RecvByteBufAllocator sizing) {
        this.sizing = sizing;
    }

    /** Caps the next read at {@code bytes} (at least 1); a negative value removes the cap. */
    void capNextRead(long bytes) {
        left = bytes < 0 ? -1 : Math.max(1, bytes);
    }

    @Override
    public Handle newHandle() {
        return new Capped((ExtendedHandle) sizing.newHandle());
    }

    private final class Capped implements ExtendedHandle {
        private final ExtendedHandle d;

        Capped(ExtendedHandle d) {
            this.d = d;
        }

        @Override
        public ByteBuf allocate(ByteBufAllocator alloc) {
            return alloc.ioBuffer(guess());
        }

        @Override
        public int guess() {
            int g = d.guess();
            return left < 0 ? g : (int) Math.max(1, Math.min(g, left));
        }

        @Override
        public void reset(ChannelConfig config) {
            d.reset(config);
        }

        @Override
        public void incMessagesRead(int numMessages) {
            d.incMessagesRead(numMessages);
        }

        @Override
        public void lastBytesRead(int bytes) {
            d.lastBytesRead(bytes);
            if (left > 0 && bytes > 0) {
                left = Math.max(0, left - bytes);
            }
        }

        @Override
        public int lastBytesRead() {
            return d.lastBytesRead();
        }

        @Override
        public void attemptedBytesRead(int bytes) {
            d.attemptedBytesRead(bytes);
        }

        @Override
        public int attemptedBytesRead() {
            return d.attemptedBytesRead();
        }

        @Override
        public boolean continueReading() {
            return left != 0 && d.continueReading();
        }

        @Override
        public boolean continueReading(UncheckedBooleanSupplier maybeMoreDataSupplier) {
            return left != 0 && d.continueReading(maybeMoreDataSupplier);
        }

        @Override
        public void readComplete() {
            d.readComplete();
            // the cap was for one read: later ones (another request on a kept connection) read freely
            left = -1;
        }
    }
}
