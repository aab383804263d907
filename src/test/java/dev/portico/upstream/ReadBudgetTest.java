package dev.portico.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

/** The cap proxy_limit_rate puts on one read: it bounds the buffer and the loop, then goes. */
class ReadBudgetTest {
    @Test
    void aCapBoundsOneReadOnly() {
        ReadBudget reads = new ReadBudget(new AdaptiveRecvByteBufAllocator(64, 2048, 65536));
        RecvByteBufAllocator.ExtendedHandle h = (RecvByteBufAllocator.ExtendedHandle) reads.newHandle();
        EmbeddedChannel ch = new EmbeddedChannel();
        try {
            h.reset(ch.config());
            assertThat(h.guess()).isEqualTo(2048);

            reads.capNextRead(100);
            h.reset(ch.config());
            ByteBuf buf = h.allocate(UnpooledByteBufAllocator.DEFAULT);
            assertThat(buf.writableBytes()).isEqualTo(100);
            buf.release();
            h.attemptedBytesRead(100);
            h.lastBytesRead(100);
            h.incMessagesRead(1);
            assertThat(h.continueReading()).isFalse();
            h.readComplete();

            // the next read, with no cap, is sized by Netty's adaptive guess again
            h.reset(ch.config());
            assertThat(h.guess()).isGreaterThan(100);
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    @Test
    void aCapOfZeroStillReadsOneByte() {
        ReadBudget reads = new ReadBudget(new AdaptiveRecvByteBufAllocator(64, 2048, 65536));
        RecvByteBufAllocator.Handle h = reads.newHandle();
        reads.capNextRead(0);
        assertThat(h.guess()).isEqualTo(1);
    }
}
