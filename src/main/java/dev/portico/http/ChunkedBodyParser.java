package dev.portico.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;

/**
 * A request's chunked body (RFC 9112 section 7.1), one piece at a time. Lines end with CRLF or
 * a bare LF, as nginx accepts; a CR anywhere else is refused. Stricter than nginx where its
 * leniency lets two parsers disagree on where a body ends: the chunk size is hex digits only
 * (no sign, no "0x", no inner space), and extensions must follow the grammar
 * ({@code ;name[=token|quoted-string]}); nginx skips whatever follows the size. Trailer fields
 * are checked like header lines and passed on with the last content.
 */
final class ChunkedBodyParser {
    private enum State { SIZE, DATA, DATA_END, TRAILER }

    private final int maxLine;
    private final int maxTrailers;
    private State state = State.SIZE;
    private long left;
    private HttpHeaders trailers;
    private int trailerBytes;

    ChunkedBodyParser(int maxLine, int maxTrailers) {
        this.maxLine = maxLine;
        this.maxTrailers = maxTrailers;
    }

    /**
     * The next piece decoded from {@code in}: content of at most {@code maxPiece} bytes, the
     * last content, or null when more bytes are needed.
     *
     * @throws IllegalArgumentException the body is malformed
     */
    Object next(ByteBuf in, int maxPiece) {
        while (in.isReadable()) {
            switch (state) {
                case SIZE -> {
                    int end = lineEnd(in);
                    if (end < 0) {
                        return null;
                    }
                    left = size(in, in.readerIndex(), end);
                    skipLine(in, end);
                    state = left == 0 ? State.TRAILER : State.DATA;
                }
                case DATA -> {
                    int n = (int) Math.min(Math.min(left, in.readableBytes()), maxPiece);
                    left -= n;
                    if (left == 0) {
                        state = State.DATA_END;
                    }
                    return new DefaultHttpContent(in.readRetainedSlice(n));
                }
                case DATA_END -> {
                    byte b = in.getByte(in.readerIndex());
                    if (b == '\n') {
                        in.skipBytes(1);
                    } else if (b != '\r') {
                        throw new IllegalArgumentException("chunk data longer than its size");
                    } else if (in.readableBytes() < 2) {
                        return null;
                    } else if (in.getByte(in.readerIndex() + 1) != '\n') {
                        throw new IllegalArgumentException("chunk data not followed by a line end");
                    } else {
                        in.skipBytes(2);
                    }
                    state = State.SIZE;
                }
                case TRAILER -> {
                    int end = lineEnd(in);
                    if (end < 0) {
                        return null;
                    }
                    int start = in.readerIndex();
                    int len = end - start;
                    trailerBytes += len;
                    if (trailerBytes > maxTrailers) {
                        throw new IllegalArgumentException("trailer fields too large");
                    }
                    if (len == 0) {
                        skipLine(in, end);
                        return trailers == null ? LastHttpContent.EMPTY_LAST_CONTENT
                            : new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, trailers);
                    }
                    trailer(in, start, end);
                    skipLine(in, end);
                }
                default -> throw new IllegalStateException();
            }
        }
        return null;
    }

    /** The index where the line at the reader index ends (its CR, or its bare LF), or -1 if it is not all here. */
    private int lineEnd(ByteBuf in) {
        int start = in.readerIndex();
        int lf = in.indexOf(start, in.writerIndex(), (byte) '\n');
        if (lf < 0) {
            if (in.readableBytes() > maxLine) {
                throw new IllegalArgumentException("chunk line too long");
            }
            return -1;
        }
        if (lf - start > maxLine) {
            throw new IllegalArgumentException("chunk line too long");
        }
        return lf > start && in.getByte(lf - 1) == '\r' ? lf - 1 : lf;
    }

    private static void skipLine(ByteBuf in, int end) {
        in.readerIndex(end + (in.getByte(end) == '\r' ? 2 : 1));
    }

    /** {@code 1*HEXDIG *( BWS ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ] )}. */
    private static long size(ByteBuf in, int from, int end) {
        int i = from;
        long size = 0;
        while (i < end && Character.digit(in.getByte(i), 16) >= 0) {
            if (size > (Long.MAX_VALUE >> 4)) {
                throw new IllegalArgumentException("chunk size too large");
            }
            size = size * 16 + Character.digit(in.getByte(i), 16);
            i++;
        }
        if (i == from) {
            throw new IllegalArgumentException("invalid chunk size");
        }
        while (i < end) {
            i = skipBws(in, i, end);
            if (i == end) {
                break;
            }
            if (in.getByte(i) != ';') {
                throw new IllegalArgumentException("invalid chunk size");
            }
            i = skipBws(in, i + 1, end);
            int name = i;
            i = token(in, i, end);
            if (i == name) {
                throw new IllegalArgumentException("invalid chunk extension");
            }
            i = skipBws(in, i, end);
            if (i < end && in.getByte(i) == '=') {
                i = skipBws(in, i + 1, end);
                i = i < end && in.getByte(i) == '"' ? quoted(in, i, end) : nonEmptyToken(in, i, end);
            }
        }
        return size;
    }

    private static int skipBws(ByteBuf in, int i, int end) {
        while (i < end && (in.getByte(i) == ' ' || in.getByte(i) == '\t')) {
            i++;
        }
        return i;
    }

    private static int token(ByteBuf in, int i, int end) {
        while (i < end && isTchar(in.getByte(i) & 0xff)) {
            i++;
        }
        return i;
    }

    private static int nonEmptyToken(ByteBuf in, int i, int end) {
        int after = token(in, i, end);
        if (after == i) {
            throw new IllegalArgumentException("invalid chunk extension");
        }
        return after;
    }

    /** A quoted-string from its opening quote; returns the index after the closing one. */
    private static int quoted(ByteBuf in, int i, int end) {
        for (i++; i < end; i++) {
            int c = in.getByte(i) & 0xff;
            if (c == '"') {
                return i + 1;
            }
            if (c == '\\') {
                i++;
                if (i == end) {
                    break;
                }
                c = in.getByte(i) & 0xff;
                if (c < 0x20 && c != '\t' || c == 0x7f) {
                    break;
                }
            } else if (c < 0x20 && c != '\t' || c == 0x7f) {
                break;
            }
        }
        throw new IllegalArgumentException("invalid chunk extension");
    }

    private static boolean isTchar(int c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }

    /** A trailer field: a name without whitespace or controls, a colon, a value without controls. */
    private void trailer(ByteBuf in, int start, int end) {
        int colon = start;
        while (colon < end && in.getByte(colon) != ':') {
            int c = in.getByte(colon) & 0xff;
            if (c <= 0x20 || c == 0x7f) {
                throw new IllegalArgumentException("invalid trailer field");
            }
            colon++;
        }
        if (colon == start || colon == end) {
            throw new IllegalArgumentException("invalid trailer field");
        }
        int v = colon + 1;
        int ve = end;
        for (int i = v; i < end; i++) {
            int c = in.getByte(i) & 0xff;
            if (c < 0x20 && c != '\t' || c == 0x7f) {
                throw new IllegalArgumentException("invalid trailer field");
            }
        }
        while (v < ve && (in.getByte(v) == ' ' || in.getByte(v) == '\t')) {
            v++;
        }
        while (ve > v && (in.getByte(ve - 1) == ' ' || in.getByte(ve - 1) == '\t')) {
            ve--;
        }
        if (trailers == null) {
            trailers = DefaultHttpHeadersFactory.trailersFactory().withValidation(false).newHeaders();
        }
        trailers.add(in.toString(start, colon - start, StandardCharsets.ISO_8859_1),
            in.toString(v, ve - v, StandardCharsets.ISO_8859_1));
    }
}
