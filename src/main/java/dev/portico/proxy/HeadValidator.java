package dev.portico.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ByteProcessor;
import io.netty.util.ReferenceCountUtil;

/**
 * Checks the header lines of a backend's response head as nginx's parser does before Netty's
 * (lenient) decoder sees them: a field name must not contain spaces or control characters and
 * must end with ":", and a line may not start with whitespace (obsolete folding). Armed for each
 * response; disarmed at the blank line that ends the head, so bodies are not scanned.
 */
final class HeadValidator extends ChannelInboundHandlerAdapter implements ByteProcessor {
    /** The cause reported when a head is refused; its message is the error-log text. */
    static final class InvalidHeaderException extends RuntimeException {
        InvalidHeaderException(String message) {
            super(message, null, false, false);
        }
    }

    private static final int STATUS = 0;
    private static final int LINE_START = 1;
    private static final int NAME = 2;
    private static final int VALUE = 3;
    private static final int END_CR = 4;
    private static final int DONE = 5;

    private int state = DONE;
    private final byte[] name = new byte[64];
    private int nameLength;

    /** Expect a new response head. */
    void arm() {
        state = STATUS;
        nameLength = 0;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (state != DONE && msg instanceof ByteBuf b) {
            String bad = scan(b);
            if (bad != null) {
                ReferenceCountUtil.release(msg);
                state = DONE;
                ctx.fireExceptionCaught(new InvalidHeaderException("upstream sent invalid header: \"" + bad + "\""));
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    private String scan(ByteBuf b) {
        bad = null;
        int from = b.readerIndex();
        int len = b.readableBytes();
        if (len > 0) {
            b.forEachByte(from, len, this);
        }
        return bad;
    }

    private String bad;

    /** One byte of the head; false stops the scan (head complete, or a bad line). */
    @Override
    public boolean process(byte value) {
        int c = value & 0xff;
        switch (state) {
            case STATUS, VALUE -> {
                if (c == '\n') {
                    state = LINE_START;
                }
            }
            case LINE_START -> {
                if (c == '\r') {
                    state = END_CR;
                } else if (c == '\n') {
                    state = DONE;
                    return false;
                } else if (c <= 0x20 || c == 0x7f) {
                    bad = "\\x" + hex(c) + "...";
                    return false;
                } else {
                    nameLength = 0;
                    append(c);
                    state = c == ':' ? VALUE : NAME;
                }
            }
            case NAME -> {
                if (c == ':') {
                    state = VALUE;
                } else if (c <= 0x20 || c == 0x7f) {
                    bad = new String(name, 0, nameLength, java.nio.charset.StandardCharsets.ISO_8859_1) + "\\x" + hex(c) + "...";
                    return false;
                } else {
                    append(c);
                }
            }
            case END_CR -> {
                state = DONE;
                return false;
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    private void append(int c) {
        if (nameLength < name.length) {
            name[nameLength++] = (byte) c;
        }
    }

    private static String hex(int c) {
        return String.format("%02X", c);
    }
}
