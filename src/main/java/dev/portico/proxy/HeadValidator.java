package dev.portico.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ByteProcessor;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;

/**
 * Checks a backend's response head byte by byte, as nginx's parser does, before Netty's lenient
 * decoder sees it. Refused, with nginx's messages:
 * <ul>
 * <li>a status line that is not {@code HTTP/d.d SP ddd} with a code of exactly three digits in
 *     100-599 ({@code 2000}, {@code +200}, {@code 0200}, {@code 099}): "upstream sent no valid
 *     HTTP/1.0 header";</li>
 * <li>a field name with a byte that is not a token character (RFC 9110 section 5.6.2), a line
 *     that starts with whitespace (obsolete folding), a NUL anywhere, or a CR not followed by LF:
 *     "upstream sent invalid header".</li>
 * </ul>
 * A bare LF ends a line, as RFC 9112 section 2.2 allows and nginx accepts. Armed for each
 * response; after an interim (1xx) head it re-arms for the final one; disarmed at the blank line
 * that ends the final head, so bodies are not scanned.
 */
final class HeadValidator extends ChannelInboundHandlerAdapter implements ByteProcessor {
    /** The cause reported when a head is refused; its message is the error-log text. */
    static final class InvalidHeaderException extends RuntimeException {
        InvalidHeaderException(String message) {
            super(message, null, false, false);
        }
    }

    private static final int STATUS = 0;
    private static final int STATUS_CR = 1;
    private static final int LINE_START = 2;
    private static final int NAME = 3;
    private static final int VALUE = 4;
    private static final int VALUE_CR = 5;
    private static final int END_CR = 6;
    private static final int DONE = 7;

    /** RFC 9110 tchar. */
    private static final boolean[] TOKEN = new boolean[256];

    static {
        for (int c = '0'; c <= '9'; c++) {
            TOKEN[c] = true;
        }
        for (int c = 'a'; c <= 'z'; c++) {
            TOKEN[c] = true;
            TOKEN[c - 32] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TOKEN[c] = true;
        }
    }

    private int state = DONE;
    /** The start of the status line (enough to check it) or of the field name being read. */
    private final byte[] line = new byte[64];
    private int lineLength;
    private boolean interim;
    private String bad;

    /** Expect a new response head. */
    void arm() {
        state = STATUS;
        lineLength = 0;
        interim = false;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (state != DONE && msg instanceof ByteBuf b && b.isReadable()) {
            bad = null;
            b.forEachByte(b.readerIndex(), b.readableBytes(), this);
            if (bad != null) {
                ReferenceCountUtil.release(msg);
                state = DONE;
                ctx.fireExceptionCaught(new InvalidHeaderException(bad));
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    /** One byte of the head; false stops the scan (head complete, or a bad line). */
    @Override
    public boolean process(byte value) {
        int c = value & 0xff;
        if (c == 0 && state != DONE) {
            return refuse(state == STATUS || state == STATUS_CR ? null : c);
        }
        switch (state) {
            case STATUS -> {
                if (c == '\n') {
                    return statusLineEnded();
                } else if (c == '\r') {
                    state = STATUS_CR;
                } else {
                    append(c);
                }
            }
            case STATUS_CR -> {
                if (c != '\n') {
                    return refuse(null);
                }
                return statusLineEnded();
            }
            case LINE_START -> {
                if (c == '\r') {
                    state = END_CR;
                } else if (c == '\n') {
                    return headEnded();
                } else if (!TOKEN[c]) {
                    // whitespace here is obsolete line folding; ':' an empty name
                    lineLength = 0;
                    return refuse(c);
                } else {
                    lineLength = 0;
                    append(c);
                    state = NAME;
                }
            }
            case NAME -> {
                if (c == ':') {
                    state = VALUE;
                } else if (!TOKEN[c]) {
                    return refuse(c);
                } else {
                    append(c);
                }
            }
            case VALUE -> {
                if (c == '\n') {
                    state = LINE_START;
                } else if (c == '\r') {
                    state = VALUE_CR;
                }
            }
            case VALUE_CR -> {
                if (c != '\n') {
                    return refuse((int) '\r');
                }
                state = LINE_START;
            }
            case END_CR -> {
                if (c != '\n') {
                    lineLength = 0;
                    return refuse((int) '\r');
                }
                return headEnded();
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    /** The blank line: a final head ends the scan; an interim one is followed by another head. */
    private boolean headEnded() {
        if (interim) {
            arm();
            return true;
        }
        state = DONE;
        return false;
    }

    private boolean statusLineEnded() {
        int code = statusCode(line, lineLength);
        if (code < 0) {
            return refuse(null);
        }
        interim = code < 200 && code != 101;
        lineLength = 0;
        state = LINE_START;
        return true;
    }

    /**
     * The code of {@code HTTP/major.minor SP+ ddd [SP reason]}, or -1. nginx also takes a '.'
     * after the code (IIS's "403.1"). Only the first {@code line.length} bytes were kept, which
     * covers everything up to the reason phrase.
     */
    static int statusCode(byte[] s, int n) {
        if (n < 12 || s[0] != 'H' || s[1] != 'T' || s[2] != 'T' || s[3] != 'P' || s[4] != '/') {
            return -1;
        }
        int i = 5;
        int start = i;
        while (i < n && isDigit(s[i])) {
            i++;
        }
        if (i == start || i >= n || s[i] != '.') {
            return -1;
        }
        start = ++i;
        while (i < n && isDigit(s[i])) {
            i++;
        }
        if (i == start || i >= n || s[i] != ' ') {
            return -1;
        }
        while (i < n && s[i] == ' ') {
            i++;
        }
        if (i + 3 > n || !isDigit(s[i]) || !isDigit(s[i + 1]) || !isDigit(s[i + 2])) {
            return -1;
        }
        int code = (s[i] - '0') * 100 + (s[i + 1] - '0') * 10 + (s[i + 2] - '0');
        if (code < 100 || code > 599) {
            return -1;
        }
        if (i + 3 < n && s[i + 3] != ' ' && s[i + 3] != '.') {
            return -1;
        }
        return code;
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    /**
     * Stops the scan with nginx's message: for a header line, the name read so far and the
     * offending byte ({@code c}); for the status line ({@code c == null}), the generic one.
     */
    private boolean refuse(Integer c) {
        if (c == null) {
            bad = "upstream sent no valid HTTP/1.0 header";
        } else {
            bad = "upstream sent invalid header: \"" + new String(line, 0, lineLength, StandardCharsets.ISO_8859_1)
                + "\\x" + String.format("%02X", c) + "...\"";
        }
        return false;
    }

    private void append(int c) {
        if (lineLength < line.length) {
            line[lineLength++] = (byte) c;
        }
    }
}
