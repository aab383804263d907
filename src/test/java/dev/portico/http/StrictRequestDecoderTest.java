package dev.portico.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The decoder's buffer while a request head is unfinished: it holds the head's bytes, not a large empty read buffer. */
class StrictRequestDecoderTest {
    private static ByteBuf bytes(String text, int capacity) {
        ByteBuf b = PooledByteBufAllocator.DEFAULT.directBuffer(capacity);
        b.writeCharSequence(text, StandardCharsets.ISO_8859_1);
        return b;
    }

    @Test
    void anUnfinishedHeadInALargeReadBufferIsCopiedDownToItsSize() {
        StrictRequestDecoder decoder = new StrictRequestDecoder(8192, 32768, 1000);
        EmbeddedChannel ch = new EmbeddedChannel(decoder);
        // a 64 KB read buffer that holds 40 bytes of a head
        ch.writeInbound(bytes("GET /a HTTP/1.1\r\nHost: x\r\nX-Part: 1", 64 * 1024));
        assertThat((Object) ch.readInbound()).isNull();
        assertThat(decoder.bufferedCapacity()).isLessThanOrEqualTo(2048);
        // the head is decoded whole once its blank line comes
        ch.writeInbound(bytes("23\r\n\r\n", 64));
        HttpRequest r = ch.readInbound();
        assertThat(r.uri()).isEqualTo("/a");
        assertThat(r.headers().get("X-Part")).isEqualTo("123");
        Object last = ch.readInbound();
        assertThat(last).isInstanceOf(LastHttpContent.class);
        ReferenceCountUtil.release(last);
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aHeadArrivingByteByByteIsCheckedOnceAndDecodedWhole() {
        StrictRequestDecoder decoder = new StrictRequestDecoder(8192, 32768, 1000);
        EmbeddedChannel ch = new EmbeddedChannel(decoder);
        String head = "GET /b HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\n\r\n";
        for (int i = 0; i < head.length(); i++) {
            ch.writeInbound(bytes(head.substring(i, i + 1), 16));
            if (i < head.length() - 1) {
                assertThat(decoder.bufferedCapacity()).isLessThanOrEqualTo(2 * head.length() + 1024);
            }
        }
        HttpRequest r = ch.readInbound();
        assertThat(r.headers().get("B")).isEqualTo("2");
        ReferenceCountUtil.release(ch.readInbound());
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }
}
