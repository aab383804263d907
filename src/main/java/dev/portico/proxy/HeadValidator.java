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
 * A bare LF ends a line, as RFC 9112 section 2.2 allows and nginx accepts: in the head, and in
 * the framing lines of a chunked body (chunk-size lines, the end of chunk data, trailer lines),
 * where a CR is inserted before Netty's decoder sees them (it takes only CRLF there). Chunk data
 * is skipped by its size, never scanned; a buffer is copied only when it holds a bare LF in a
 * framing line. Armed for each response; after an interim (1xx) head it re-arms for the final
 * one; disarmed at the blank line that ends the final head, or at the end of a chunked body.
 * Framing it cannot follow (a bad chunk size) is left to the decoder, which refuses it.
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
    // a chunked body's framing
    private static final int CHUNK_SIZE = 8;
    private static final int CHUNK_EXT = 9;
    private static final int CHUNK_SIZE_CR = 10;
    private static final int DATA = 11;
    private static final int DATA_END = 12;
    private static final int DATA_END_CR = 13;
    private static final int TRAILER_START = 14;
    private static final int TRAILER_LINE = 15;
    private static final int TRAILER_LINE_CR = 16;
    private static final int TRAILER_END_CR = 17;
    private static final byte[] TRANSFER_ENCODING = "transfer-encoding".getBytes(StandardCharsets.US_ASCII);

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

    /** Bytes of a field value that need no look: all but CR, LF and NUL. */
    private static final ByteProcessor VALUE_BYTE = c -> c != '\r' && c != '\n' && c != 0;

    private int state = DONE;
    /** The start of the status line (enough to check it) or of the field name being read. */
    private final byte[] line = new byte[64];
    private int lineLength;
    private boolean interim;
    private String bad;
    private boolean headRequest;
    private int status;
    /** Reading a Transfer-Encoding value: its last 64 bytes are kept. */
    private boolean inTransferEncoding;
    private final byte[] te = new byte[64];
    private int teLength;
    private boolean chunked;
    /** Chunk size being read, then the data bytes still to skip. */
    private long chunkLeft;
    /** Index in the buffer of the byte {@link #process} is given. */
    private int cursor;
    /** Indexes of the bare LFs in framing lines of the current buffer, each to get a CR before it. */
    private int[] bareLf = new int[4];
    private int bareLfCount;

    /** Expect a new response head, to a HEAD request or not (no body follows a HEAD's). */
    void arm(boolean headRequest) {
        this.headRequest = headRequest;
        state = STATUS;
        lineLength = 0;
        interim = false;
        chunked = false;
        inTransferEncoding = false;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (state != DONE && msg instanceof ByteBuf b && b.isReadable()) {
            bad = null;
            bareLfCount = 0;
            scan(b);
            if (bad != null) {
                ReferenceCountUtil.release(msg);
                state = DONE;
                ctx.fireExceptionCaught(new InvalidHeaderException(bad));
                return;
            }
            if (bareLfCount > 0) {
                msg = withCrBeforeBareLf(ctx, b);
            }
        }
        ctx.fireChannelRead(msg);
    }

    /** Scans the buffer: head and framing lines byte by byte, chunk data skipped by its size. */
    private void scan(ByteBuf b) {
        int i = b.readerIndex();
        int end = b.writerIndex();
        while (i < end && state != DONE && bad == null) {
            if (state == VALUE && !inTransferEncoding) {
                // most of a head is field values: find the end of this one without the state machine
                int stop = b.forEachByte(i, end - i, VALUE_BYTE);
                if (stop < 0) {
                    return;
                }
                i = stop;
            }
            if (state == DATA) {
                int n = (int) Math.min(chunkLeft, end - i);
                i += n;
                chunkLeft -= n;
                if (chunkLeft == 0) {
                    state = DATA_END;
                }
                continue;
            }
            cursor = i;
            int stop = b.forEachByte(i, end - i, this);
            i = stop < 0 ? end : stop + 1;
        }
    }

    /** A copy of the buffer with a CR before each bare LF of a framing line; the original is released. */
    private ByteBuf withCrBeforeBareLf(ChannelHandlerContext ctx, ByteBuf b) {
        ByteBuf out = ctx.alloc().buffer(b.readableBytes() + bareLfCount);
        int from = b.readerIndex();
        for (int k = 0; k < bareLfCount; k++) {
            int lf = bareLf[k];
            out.writeBytes(b, from, lf - from).writeByte('\r');
            from = lf;
        }
        out.writeBytes(b, from, b.writerIndex() - from);
        b.release();
        return out;
    }

    private void bareLfHere(int index) {
        if (bareLfCount == bareLf.length) {
            bareLf = java.util.Arrays.copyOf(bareLf, bareLf.length * 2);
        }
        bareLf[bareLfCount++] = index;
    }

    /** One byte of the head; false stops the scan (head complete, or a bad line). */
    @Override
    public boolean process(byte value) {
        int here = cursor++;
        if (state >= CHUNK_SIZE) {
            return framing(value & 0xff, here);
        }
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
                    inTransferEncoding = isTransferEncoding();
                    teLength = 0;
                } else if (!TOKEN[c]) {
                    return refuse(c);
                } else {
                    append(c);
                }
            }
            case VALUE -> {
                if (c == '\n') {
                    valueEnded();
                } else if (c == '\r') {
                    state = VALUE_CR;
                } else if (inTransferEncoding) {
                    te[teLength++ % te.length] = (byte) c;
                }
            }
            case VALUE_CR -> {
                if (c != '\n') {
                    return refuse((int) '\r');
                }
                valueEnded();
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

    /** The blank line: an interim head is followed by another head; a chunked body is followed through its framing. */
    private boolean headEnded() {
        if (interim) {
            arm(headRequest);
            return true;
        }
        if (chunked && !headRequest && status >= 200 && status != 204 && status != 304) {
            state = CHUNK_SIZE;
            chunkLeft = 0;
            return true;
        }
        state = DONE;
        return false;
    }

    private void valueEnded() {
        if (inTransferEncoding) {
            // the last coding decides (RFC 9112 section 6.3): "gzip, chunked" is chunked
            String v = teLength <= te.length ? new String(te, 0, teLength, StandardCharsets.ISO_8859_1) : "";
            int comma = v.lastIndexOf(',');
            chunked = v.substring(comma + 1).trim().equalsIgnoreCase("chunked");
            inTransferEncoding = false;
        }
        state = LINE_START;
    }

    private boolean isTransferEncoding() {
        if (lineLength != TRANSFER_ENCODING.length) {
            return false;
        }
        for (int i = 0; i < lineLength; i++) {
            if ((line[i] | 0x20) != TRANSFER_ENCODING[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * One byte of a chunked body's framing (RFC 9112 section 7.1). False stops the scan: chunk
     * data follows (skipped by its size), the body ended, or the framing is broken (left to the
     * decoder to refuse).
     */
    private boolean framing(int c, int here) {
        switch (state) {
            case CHUNK_SIZE -> {
                int d = Character.digit(c, 16);
                if (d >= 0) {
                    if (chunkLeft > (Long.MAX_VALUE >> 4)) {
                        return giveUp();
                    }
                    chunkLeft = chunkLeft * 16 + d;
                } else if (c == ';' || c == ' ' || c == '\t') {
                    state = CHUNK_EXT;
                } else if (c == '\r') {
                    state = CHUNK_SIZE_CR;
                } else if (c == '\n') {
                    bareLfHere(here);
                    return chunkLineEnded();
                } else {
                    return giveUp();
                }
            }
            case CHUNK_EXT -> {
                if (c == '\r') {
                    state = CHUNK_SIZE_CR;
                } else if (c == '\n') {
                    bareLfHere(here);
                    return chunkLineEnded();
                }
            }
            case CHUNK_SIZE_CR -> {
                return c == '\n' ? chunkLineEnded() : giveUp();
            }
            case DATA_END -> {
                if (c == '\r') {
                    state = DATA_END_CR;
                } else if (c == '\n') {
                    bareLfHere(here);
                    state = CHUNK_SIZE;
                } else {
                    return giveUp();
                }
            }
            case DATA_END_CR -> {
                if (c != '\n') {
                    return giveUp();
                }
                state = CHUNK_SIZE;
            }
            case TRAILER_START -> {
                if (c == '\r') {
                    state = TRAILER_END_CR;
                } else if (c == '\n') {
                    bareLfHere(here);
                    return giveUp();
                } else {
                    state = TRAILER_LINE;
                }
            }
            case TRAILER_LINE -> {
                if (c == '\r') {
                    state = TRAILER_LINE_CR;
                } else if (c == '\n') {
                    bareLfHere(here);
                    state = TRAILER_START;
                }
            }
            case TRAILER_LINE_CR -> {
                if (c != '\n') {
                    return giveUp();
                }
                state = TRAILER_START;
            }
            case TRAILER_END_CR -> {
                return giveUp();
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    private boolean chunkLineEnded() {
        if (chunkLeft == 0) {
            state = TRAILER_START;
            return true;
        }
        state = DATA;
        return false;
    }

    /** The end of the body (after its last line), or framing this scan cannot follow: the decoder takes it from here. */
    private boolean giveUp() {
        state = DONE;
        return false;
    }

    private boolean statusLineEnded() {
        int code = statusCode(line, lineLength);
        if (code < 0) {
            return refuse(null);
        }
        interim = code < 200 && code != 101;
        status = code;
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
