package dev.portico.http;

import io.netty.buffer.ByteBuf;

/**
 * Reads the frames a client sends, before the codec decodes them, for one thing: the length of
 * each HPACK string literal (a header name or value as it is on the wire, Huffman-coded or
 * not). nginx refuses a literal longer than the {@code large_client_header_buffers} size before
 * it decodes it ("client sent too large header field"); Netty's decoder keeps the encoded
 * lengths to itself, so they are read here. HEADERS and CONTINUATION payloads are parsed as far
 * as the lengths go (string bodies are skipped, not read); every other frame is skipped by its
 * length. Malformed input is the codec's to refuse: the scanner only skips over it.
 */
final class Http2FieldScanner {
    private static final int HEADERS = 0x1;
    private static final int CONTINUATION = 0x9;
    private static final int PADDED = 0x8;
    private static final int PRIORITY = 0x20;
    private static final int FRAME_HEAD = 9;

    /** HPACK states: a representation's first byte, an integer's continuation bytes, a string's length byte, its body. */
    private enum Hpack { REPRESENTATION, INTEGER, STRING_LENGTH, STRING_BODY }

    /** What the integer being read is: skipped (an index, a table size), a name's index (a value follows), a string's length. */
    private enum IntegerKind { SKIPPED, NAME_INDEX, LENGTH }

    private final long maxField;
    /** Bytes scanned since the connection's first frame. */
    private long position;

    private final byte[] head = new byte[FRAME_HEAD];
    private int headRead;
    private long frameStart;
    private int payloadLeft;
    private boolean headerPayload;
    private int prefixLeft;
    private boolean padLengthNext;
    private int padLength;

    private Hpack state = Hpack.REPRESENTATION;
    private IntegerKind integerKind;
    private long integer;
    private int shift;
    /** The string being read (or next) is a literal name: its value follows. */
    private boolean name;
    private long stringLeft;

    Http2FieldScanner(long maxField) {
        this.maxField = maxField;
    }

    /** Bytes scanned so far: the position, in the connection's frames, up to which they are known. */
    long position() {
        return position;
    }

    /**
     * Scans {@code in} from {@code from} to {@code to} (what arrived since the last call). Returns
     * the position of the frame carrying a literal longer than the limit, or -1.
     */
    long scan(ByteBuf in, int from, int to) {
        int i = from;
        try {
            while (i < to) {
                if (headRead < FRAME_HEAD) {
                    if (headRead == 0) {
                        frameStart = position + (i - from);
                    }
                    head[headRead++] = in.getByte(i++);
                    if (headRead == FRAME_HEAD) {
                        frameHeadRead();
                    }
                    continue;
                }
                int avail = Math.min(payloadLeft, to - i);
                int used = headerPayload ? headerPayload(in, i, avail) : avail;
                if (used < 0) {
                    return frameStart;
                }
                i += used;
                payloadLeft -= used;
                if (payloadLeft == 0) {
                    headRead = 0;
                }
            }
            return -1;
        } finally {
            position += i - from;
        }
    }

    private void frameHeadRead() {
        payloadLeft = (head[0] & 0xff) << 16 | (head[1] & 0xff) << 8 | (head[2] & 0xff);
        int type = head[3] & 0xff;
        int flags = head[4] & 0xff;
        headerPayload = type == HEADERS || type == CONTINUATION;
        padLength = 0;
        prefixLeft = 0;
        padLengthNext = false;
        if (type == HEADERS) {
            // a new header block
            state = Hpack.REPRESENTATION;
            name = false;
            padLengthNext = (flags & PADDED) != 0;
            prefixLeft = (padLengthNext ? 1 : 0) + ((flags & PRIORITY) != 0 ? 5 : 0);
        }
        if (payloadLeft == 0) {
            headRead = 0;
        }
    }

    /** Reads up to {@code avail} payload bytes of a HEADERS or CONTINUATION frame: how many, or -1 for a too long literal. */
    private int headerPayload(ByteBuf in, int from, int avail) {
        int i = from;
        int end = from + avail;
        while (i < end && prefixLeft > 0) {
            if (padLengthNext) {
                padLength = in.getByte(i) & 0xff;
                padLengthNext = false;
            }
            i++;
            prefixLeft--;
        }
        if (prefixLeft > 0) {
            return i - from;
        }
        // what is left of the payload after this point, less the padding, is header block
        int fragmentLeft = Math.max(0, payloadLeft - (i - from) - padLength);
        int fragmentEnd = i + Math.min(end - i, fragmentLeft);
        while (i < fragmentEnd) {
            if (state == Hpack.STRING_BODY) {
                int n = (int) Math.min(stringLeft, fragmentEnd - i);
                i += n;
                stringLeft -= n;
                if (stringLeft == 0) {
                    stringDone();
                }
            } else if (!hpackByte(in.getByte(i++) & 0xff)) {
                return -1;
            }
        }
        // the rest, if any, is padding
        return end - from;
    }

    /** One byte of HPACK outside a string's body; false when it completes a too long string length. */
    private boolean hpackByte(int b) {
        switch (state) {
            case REPRESENTATION -> representation(b);
            case STRING_LENGTH -> {
                if ((b & 0x7f) == 0x7f) {
                    startInteger(IntegerKind.LENGTH, 0x7f);
                } else {
                    return length(b & 0x7f);
                }
            }
            case INTEGER -> {
                if (shift < 56) {
                    integer += (long) (b & 0x7f) << shift;
                } else if ((b & 0x7f) != 0) {
                    integer = Long.MAX_VALUE / 2;
                }
                shift += 7;
                if ((b & 0x80) == 0) {
                    return integerDone();
                }
            }
            default -> throw new IllegalStateException(state.name());
        }
        return true;
    }

    /** RFC 7541 section 6: indexed field, literal (with or without indexing, never indexed), table size update. */
    private void representation(int b) {
        if ((b & 0x80) != 0) {
            prefixed(b & 0x7f, 0x7f, IntegerKind.SKIPPED);
        } else if ((b & 0xc0) == 0x40) {
            literal(b & 0x3f, 0x3f);
        } else if ((b & 0xe0) == 0x20) {
            prefixed(b & 0x1f, 0x1f, IntegerKind.SKIPPED);
        } else {
            literal(b & 0x0f, 0x0f);
        }
    }

    private void prefixed(int value, int max, IntegerKind kind) {
        if (value == max) {
            startInteger(kind, max);
        }
    }

    /** A literal field: its name is a string when the index is 0, else the value string comes next. */
    private void literal(int index, int max) {
        if (index == max) {
            startInteger(IntegerKind.NAME_INDEX, max);
            return;
        }
        name = index == 0;
        state = Hpack.STRING_LENGTH;
    }

    private void startInteger(IntegerKind kind, int prefix) {
        integerKind = kind;
        integer = prefix;
        shift = 0;
        state = Hpack.INTEGER;
    }

    private boolean integerDone() {
        switch (integerKind) {
            case SKIPPED -> state = Hpack.REPRESENTATION;
            case NAME_INDEX -> {
                name = false;
                state = Hpack.STRING_LENGTH;
            }
            default -> {
                return length(integer);
            }
        }
        return true;
    }

    private boolean length(long length) {
        if (length > maxField) {
            return false;
        }
        stringLeft = length;
        state = Hpack.STRING_BODY;
        if (length == 0) {
            stringDone();
        }
        return true;
    }

    private void stringDone() {
        if (name) {
            name = false;
            state = Hpack.STRING_LENGTH;
        } else {
            state = Hpack.REPRESENTATION;
        }
    }
}
