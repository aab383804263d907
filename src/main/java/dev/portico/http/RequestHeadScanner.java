package dev.portico.http;

import dev.portico.observability.ErrorLog;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * Reads one request head (request line and header lines) byte by byte, the only parse it gets:
 * the request and its headers are built as the lines are checked. Refused, as nginx refuses
 * them: a lower-case or missing HTTP version, extra spaces, a bad method, control characters (a
 * bare CR among them), obs-fold (RFC 9112 section 5.2), whitespace before a colon (section 5.1),
 * duplicate or conflicting framing headers (section 6), lines longer than one
 * {@code large_client_header_buffers} buffer. A bare LF ends a line, as RFC 9112 section 2.2
 * allows and nginx accepts.
 *
 * <p>The bytes of a head stay unconsumed in the decoder's buffer until the blank line that ends
 * it arrives: the scanner remembers how far it got ({@link #scanned}, counted from the reader
 * index), so each call checks only new lines, and an unfinished head costs its raw bytes and
 * nothing more (nginx keeps it in its header buffers the same way). The scanner is reset when the
 * decoder has produced the request.
 */
final class RequestHeadScanner {
    /** Fields as received: the lines were checked here; names nginx ignores reach RequestHead (ignore_invalid_headers). */
    private static final io.netty.handler.codec.http.HttpHeadersFactory FIELDS =
        DefaultHttpHeadersFactory.headersFactory().withValidation(false);
    private final int maxLine;
    private final int maxTotal;
    private final int maxHeaders;

    private boolean sawRequestLine;
    private boolean complete;
    /** Bytes from the reader index already checked: whole lines (and blank lines before a request line). */
    private int scanned;
    private int total;
    private int headers;
    private String method;
    private String target;
    private String version;
    private boolean http10;
    private int hosts;
    private int contentLengths;
    private int transferEncodings;
    private String contentLength;
    private String transferEncoding;
    private HttpHeaders fields;
    /** Where the header lines begin, from the reader index. */
    private int fieldsFrom;

    /**
     * @param maxLine  one large header buffer: the longest line, CRLF included
     * @param maxTotal all large header buffers: the longest head
     * @param maxHeaders {@code max_headers}: the most header lines
     */
    RequestHeadScanner(int maxLine, int maxTotal, int maxHeaders) {
        this.maxLine = maxLine;
        this.maxTotal = maxTotal;
        this.maxHeaders = maxHeaders;
    }

    /** Forgets the head just passed on; the next line is the next request's. */
    void reset() {
        sawRequestLine = false;
        complete = false;
        scanned = 0;
        total = 0;
        headers = 0;
        method = null;
        target = null;
        version = null;
        http10 = false;
        hosts = 0;
        contentLengths = 0;
        transferEncodings = 0;
        contentLength = null;
        transferEncoding = null;
        fields = null;
    }

    /** Bytes of the head from the reader index, blank lines before it included: what to consume once complete. */
    int consumed() {
        return scanned;
    }

    /** The request, once {@link #complete()}: built from the lines as they were checked. */
    StrictRequestDecoder.ReceivedRequest request() {
        StrictRequestDecoder.ReceivedRequest r = new StrictRequestDecoder.ReceivedRequest(
            HttpVersion.valueOf(version), HttpMethod.valueOf(method), target, fields);
        r.headBytes = total;
        return r;
    }

    /** The body's framing, once complete: -1 for chunked, else the Content-Length (0: no body). */
    long bodyLength() {
        return transferEncoding != null ? -1 : contentLength == null ? 0 : Long.parseLong(contentLength);
    }

    /** Bytes of the head scanned so far: request line, header lines and the blank line, CRLFs included. */
    int headBytes() {
        return total;
    }

    /** True once the blank line that ends the head has been checked. */
    boolean complete() {
        return complete;
    }

    /** Checks the complete lines readable in {@code in} that were not checked yet, without consuming them. */
    void scan(ByteBuf in) {
        if (complete) {
            return;
        }
        int start = in.readerIndex();
        int pos = start + scanned;
        int end = in.writerIndex();
        while (pos < end) {
            if (!sawRequestLine) {
                // empty lines before a request line are skipped (RFC 9112 section 2.2), as nginx does
                byte b = in.getByte(pos);
                if (b == '\r' || b == '\n') {
                    pos++;
                    scanned = pos - start;
                    continue;
                }
            }
            int lf = in.indexOf(pos, end, (byte) '\n');
            if (lf < 0) {
                checkPartialLine(end - pos);
                return;
            }
            // CRLF or a bare LF ends the line; a CR anywhere else is refused by the line's checks
            int eol = lf > pos && in.getByte(lf - 1) == '\r' ? 2 : 1;
            int len = lf + 1 - eol - pos;
            total += len + eol;
            if (!sawRequestLine) {
                if (len + 2 > maxLine) {
                    throw new RequestRejectedException(414, "client sent too long URI");
                }
                requestLine(in, pos, len);
                sawRequestLine = true;
                fieldsFrom = lf + 1 - start;
            } else if (len == 0) {
                complete = true;
                scanned = lf + 1 - start;
                endOfHead();
                fields = fields(in, start + fieldsFrom, pos);
                return;
            } else {
                if (len + 2 > maxLine) {
                    throw new RequestRejectedException(494, "client sent too long header line");
                }
                if (++headers > maxHeaders) {
                    // nginx's max_headers: refused before the lines pile up in memory
                    throw new RequestRejectedException(400, "client sent too many header lines");
                }
                headerLine(in, pos, len);
            }
            if (total > maxTotal) {
                throw new RequestRejectedException(494, "client sent too large request");
            }
            pos = lf + 1;
            scanned = pos - start;
        }
    }

    private void checkPartialLine(int len) {
        if (len > maxLine) {
            throw sawRequestLine
                ? new RequestRejectedException(494, "client sent too long header line")
                : new RequestRejectedException(414, "client sent too long URI");
        }
        if (total + len > maxTotal) {
            throw new RequestRejectedException(494, "client sent too large request");
        }
    }

    /** {@code METHOD SP request-target SP HTTP/d.d}, single spaces only (RFC 9112 section 3). */
    private void requestLine(ByteBuf in, int pos, int len) {
        int end = pos + len;
        int i = pos;
        while (i < end && isMethodChar(in.getByte(i))) {
            i++;
        }
        if (i == pos || i == end || in.getByte(i) != ' ') {
            throw new RequestRejectedException(400, "client sent invalid method");
        }
        String m = in.toString(pos, i - pos, StandardCharsets.US_ASCII);
        int t = ++i;
        while (i < end && in.getByte(i) != ' ') {
            int b = in.getByte(i) & 0xff;
            if (b <= 0x20 || b == 0x7f) {
                throw new RequestRejectedException(400, "client sent invalid request");
            }
            i++;
        }
        if (i == t) {
            throw new RequestRejectedException(400, "client sent invalid request");
        }
        String tgt = in.toString(t, i - t, StandardCharsets.ISO_8859_1);
        if (i == end) {
            // HTTP/0.9 (a request line without a version) is refused
            throw new RequestRejectedException(400, "client sent invalid request");
        }
        String v = in.toString(i + 1, end - i - 1, StandardCharsets.ISO_8859_1);
        int major = versionMajor(v);
        if (major < 0) {
            throw new RequestRejectedException(400, "client sent invalid request");
        }
        method = m;
        target = tgt;
        version = v;
        if (major != 1) {
            throw new RequestRejectedException(505, "client sent unsupported HTTP version");
        }
        http10 = v.equals("HTTP/1.0");
    }

    /** The major version of {@code HTTP/x.y} (digits, no leading zero in the major), or -1. */
    private static int versionMajor(String v) {
        if (!v.startsWith("HTTP/")) {
            return -1;
        }
        int dot = v.indexOf('.', 5);
        if (dot < 6 || dot > 8 || dot == v.length() - 1 || v.length() - dot - 1 > 3 || v.charAt(5) == '0') {
            return -1;
        }
        for (int i = 5; i < v.length(); i++) {
            char c = v.charAt(i);
            if (i != dot && (c < '0' || c > '9')) {
                return -1;
            }
        }
        return Integer.parseInt(v.substring(5, dot));
    }

    /** nginx accepts upper-case letters, "_" and "-" in a method. */
    private static boolean isMethodChar(byte b) {
        return (b >= 'A' && b <= 'Z') || b == '_' || b == '-';
    }

    /** {@code name ":" OWS value OWS}: no leading whitespace, no whitespace or controls in the name, no controls in the value. */
    private void headerLine(ByteBuf in, int pos, int len) {
        int end = pos + len;
        byte first = in.getByte(pos);
        if (first == ' ' || first == '\t') {
            throw new RequestRejectedException(400, "client sent invalid header line (obs-fold)");
        }
        int colon = -1;
        for (int i = pos; i < end; i++) {
            int b = in.getByte(i) & 0xff;
            if (b == ':') {
                colon = i;
                break;
            }
            if (b <= 0x20 || b == 0x7f) {
                throw new RequestRejectedException(400, "client sent invalid header line");
            }
        }
        if (colon <= pos) {
            throw new RequestRejectedException(400, "client sent invalid header line");
        }
        for (int i = colon + 1; i < end; i++) {
            int b = in.getByte(i) & 0xff;
            if ((b < 0x20 && b != '\t') || b == 0x7f) {
                throw new RequestRejectedException(400, "client sent invalid header line");
            }
        }
        int nameLen = colon - pos;
        if (nameLen == 4 && nameIs(in, pos, "host")) {
            hosts++;
        } else if (nameLen == 14 && nameIs(in, pos, "content-length")) {
            contentLengths++;
            contentLength = value(in, colon + 1, end);
        } else if (nameLen == 17 && nameIs(in, pos, "transfer-encoding")) {
            transferEncodings++;
            transferEncoding = value(in, colon + 1, end);
        }
    }

    /**
     * The header fields, made once the head is complete and every line has passed its checks:
     * an unfinished head holds raw bytes only, never a parsed copy.
     */
    private static HttpHeaders fields(ByteBuf in, int from, int to) {
        HttpHeaders h = FIELDS.newHeaders();
        int pos = from;
        while (pos < to) {
            int lf = in.indexOf(pos, to, (byte) '\n');
            int end = lf > pos && in.getByte(lf - 1) == '\r' ? lf - 1 : lf;
            int colon = in.indexOf(pos, end, (byte) ':');
            h.add(in.toString(pos, colon - pos, StandardCharsets.ISO_8859_1), value(in, colon + 1, end));
            pos = lf + 1;
        }
        return h;
    }

    private static boolean nameIs(ByteBuf in, int pos, String lower) {
        for (int i = 0; i < lower.length(); i++) {
            int b = in.getByte(pos + i);
            if (b >= 'A' && b <= 'Z') {
                b += 32;
            }
            if (b != lower.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static String value(ByteBuf in, int from, int to) {
        while (from < to && isOws(in.getByte(from))) {
            from++;
        }
        while (to > from && isOws(in.getByte(to - 1))) {
            to--;
        }
        return in.toString(from, to - from, StandardCharsets.ISO_8859_1);
    }

    private static boolean isOws(byte b) {
        return b == ' ' || b == '\t';
    }

    /** RFC 9112 section 6.3: the rules whose violation lets two parsers disagree on where a body ends. */
    private void endOfHead() {
        if (hosts > 1) {
            throw new RequestRejectedException(400, "client sent duplicate host header");
        }
        if (contentLengths > 1) {
            throw new RequestRejectedException(400, "client sent duplicate header line: \"Content-Length\"");
        }
        if (transferEncodings > 1) {
            throw new RequestRejectedException(400, "client sent duplicate header line: \"Transfer-Encoding\"");
        }
        if (contentLength != null && !isLength(contentLength)) {
            throw new RequestRejectedException(400, "client sent invalid \"Content-Length\" header");
        }
        if (transferEncoding == null) {
            return;
        }
        if (http10) {
            throw new RequestRejectedException(400, "client sent HTTP/1.0 request with \"Transfer-Encoding\" header");
        }
        if (contentLength != null) {
            throw new RequestRejectedException(400,
                "client sent \"Content-Length\" and \"Transfer-Encoding\" headers at the same time");
        }
        if (!transferEncoding.equalsIgnoreCase("chunked")) {
            // nginx implements chunked alone: any other coding or list is 501 (RFC 9112 section 6.1), and the
            // connection closes, so a body whose length is then unknown is never read as a request
            throw new RequestRejectedException(501,
                "client sent unknown \"Transfer-Encoding\": \"" + ErrorLog.escape(transferEncoding) + "\"");
        }
    }

    private static boolean isLength(String v) {
        if (v.isEmpty() || v.length() > 18) {
            return false;
        }
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /**
     * The request line as received, for {@code $request} of a refused head: the parsed line, or
     * (when the line itself was refused) its bytes up to the first CR or LF, as nginx takes them.
     */
    private String receivedLine(ByteBuf in) {
        if (target != null) {
            return method + ' ' + target + ' ' + version;
        }
        int start = in.readerIndex();
        int end = in.writerIndex();
        while (start < end && (in.getByte(start) == '\r' || in.getByte(start) == '\n')) {
            start++;
        }
        int stop = start;
        while (stop < end && in.getByte(stop) != '\r' && in.getByte(stop) != '\n') {
            stop++;
        }
        return in.toString(start, stop - start, StandardCharsets.ISO_8859_1);
    }

    /** The request that stands for a refused head: what of its request line was valid, and the failure. */
    HttpRequest rejected(RequestRejectedException why, ByteBuf in) {
        HttpVersion v = HttpVersion.HTTP_1_1;
        if (version != null) {
            try {
                v = HttpVersion.valueOf(version);
            } catch (IllegalArgumentException e) {
                v = HttpVersion.HTTP_1_1;
            }
        }
        HttpMethod m = method == null ? HttpMethod.GET : HttpMethod.valueOf(method);
        StrictRequestDecoder.ReceivedRequest r = new StrictRequestDecoder.ReceivedRequest(v, m, target == null ? "/" : target,
            DefaultHttpHeadersFactory.headersFactory());
        r.line = receivedLine(in);
        r.setDecoderResult(io.netty.handler.codec.DecoderResult.failure(why));
        return r;
    }
}
