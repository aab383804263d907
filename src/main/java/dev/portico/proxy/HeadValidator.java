package dev.portico.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * Checks the header lines of a backend's response head as nginx's parser does before Netty's
 * (lenient) decoder sees them: a field name must not contain spaces or control characters and
 * must end with ":", and a line may not start with whitespace (obsolete folding). Armed for each
 * response; disarmed at the blank line that ends the head, so bodies are not scanned.
 */
final class HeadValidator extends ChannelInboundHandlerAdapter {
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
    private final StringBuilder name = new StringBuilder();

    /** Expect a new response head. */
    void arm() {
        state = STATUS;
        name.setLength(0);
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
        int end = b.writerIndex();
        for (int i = b.readerIndex(); i < end && state != DONE; i++) {
            int c = b.getByte(i) & 0xff;
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
                    } else if (c == ' ' || c == '\t') {
                        return "\\x" + hex(c) + "...";
                    } else {
                        name.setLength(0);
                        name.append((char) c);
                        state = c == ':' ? VALUE : NAME;
                        if (c <= 0x20 || c == 0x7f) {
                            return "\\x" + hex(c) + "...";
                        }
                    }
                }
                case NAME -> {
                    if (c == ':') {
                        state = VALUE;
                    } else if (c <= 0x20 || c == 0x7f) {
                        return name + "\\x" + hex(c) + "...";
                    } else if (name.length() < 64) {
                        name.append((char) c);
                    }
                }
                case END_CR -> state = DONE;
                default -> {
                }
            }
        }
        return null;
    }

    private static String hex(int c) {
        return String.format("%02X", c);
    }
}
