package dev.portico.staticfiles;

import dev.portico.bytes.ByteStrings;
import dev.portico.config.directive.Settings;
import dev.portico.http.Exchange;
import dev.portico.http.HttpModule;
import dev.portico.http.UriEscape;
import dev.portico.observability.LogLevel;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.StandardOpenOption;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * ngx_http_static_module for a URI without a trailing slash, with the not-modified and range
 * filters: opens the file on the file pool, then answers 200/206/304/412/416, redirects a
 * directory to its slash form, or fails with 404/403/405 as nginx does.
 */
final class FileResponse {
    /** Sends file chunks (ChunkedInput) even without TLS, so tests reach the TLS body path on plain sockets. */
    static volatile boolean forceChunked;

    private static final AtomicLong BOUNDARY = new AtomicLong();

    /** Remembers the size for the {@code Content-Range: bytes *}{@code /size} of a 416 answer. */
    private record Unsatisfiable(long size) {
    }

    private record Opened(FsError error, boolean dir, boolean irregular, OpenFile file) {
    }

    private FileResponse() {
    }

    static boolean getHeadOrPost(Exchange ex) {
        HttpMethod m = ex.method();
        return m == HttpMethod.GET || m == HttpMethod.HEAD || m == HttpMethod.POST;
    }

    static void serve(Exchange ex) {
        if (!getHeadOrPost(ex)) {
            ex.sendError(405);
            return;
        }
        DocRoot root = StaticContent.docRoot(ex);
        String base = root.base(ex);
        String path = root.join(base, ex.uri(), StaticContent.addUri(ex));
        RequestLog log = RequestLog.of(ex);
        if (!root.allows(path, base)) {
            log.log(LogLevel.ERROR, "\"" + path + "\" is outside of \"" + base + "\"");
            ex.sendError(404);
            return;
        }
        SymlinkPolicy.Guard guard = ex.settings().get(StaticModule.DISABLE_SYMLINKS).guard(ex);
        FileIo.run(ex, () -> open(path, guard), o -> respond(ex, o, path, guard, log), o -> {
            if (o.file() != null) {
                o.file().release();
            }
        });
    }

    private static Opened open(String path, SymlinkPolicy.Guard guard) {
        FileProbe probe = FileProbe.stat(path, guard);
        if (!probe.found()) {
            return new Opened(probe.error(), false, false, null);
        }
        if (probe.dir()) {
            return new Opened(null, true, false, null);
        }
        if (!probe.regular()) {
            return new Opened(null, false, true, null);
        }
        try {
            FileChannel ch = FileChannel.open(ByteStrings.path(path), StandardOpenOption.READ);
            long size;
            try {
                size = ch.size();
            } catch (IOException e) {
                ch.close();
                throw e;
            }
            return new Opened(null, false, false, new OpenFile(ch, size, probe.mtimeSeconds()));
        } catch (IOException e) {
            return new Opened(FsError.of(e), false, false, null);
        }
    }

    private static void respond(Exchange ex, Opened o, String path, SymlinkPolicy.Guard guard, RequestLog log) {
        if (o.error() != null) {
            failed(ex, o.error(), guard.call("open()"), path, log);
            return;
        }
        if (o.dir()) {
            // nginx's directory redirect: the escaped URI plus "/", with the query kept
            StringBuilder location = new StringBuilder(UriEscape.escape(ex.uri(), UriEscape.Mode.PATH)).append('/');
            if (ex.args() != null && !ex.args().isEmpty()) {
                location.append('?').append(ex.args());
            }
            ex.sendRedirect(301, location.toString());
            return;
        }
        if (o.irregular()) {
            log.log(LogLevel.CRIT, "\"" + path + "\" is not a regular file");
            ex.sendError(404);
            return;
        }
        if (ex.method() == HttpMethod.POST) {
            o.file().release();
            ex.sendError(405);
            return;
        }
        send(ex, o.file());
    }

    /** Answers a failed open as nginx does: 404 for a missing path, 403 for a refused one, 500 otherwise. */
    static void failed(Exchange ex, FsError error, String call, String path, RequestLog log) {
        int status;
        switch (error) {
            case NOT_FOUND, NOT_DIR, NAME_TOO_LONG -> status = 404;
            case ACCESS, LOOP -> status = 403;
            default -> status = 500;
        }
        if (status != 404 || ex.settings().get(StaticModule.LOG_NOT_FOUND)) {
            log.failed(status == 500 ? LogLevel.CRIT : LogLevel.ERROR, call, path, error);
        }
        ex.sendError(status);
    }

    /** The 200/206/304/412/416 decision and the body, for an open regular file. */
    static void send(Exchange ex, OpenFile file) {
        Settings s = ex.settings();
        long size = file.size();
        long mtime = file.mtimeSeconds();
        String type = contentType(ex);
        String etag = s.get(StaticModule.ETAG) ? "\"" + Long.toHexString(mtime) + "-" + Long.toHexString(size) + "\"" : null;
        // an error page answered with the error's status: as nginx, no Last-Modified, and the
        // conditional and range filters (which act on 200 only) leave it alone
        boolean errorPage = ex.statusOverride() > 0 && ex.statusOverride() != 200;
        String lastModified = errorPage ? null : DateFormatter.format(new Date(mtime * 1000));

        Preconditions.Result pre = errorPage ? Preconditions.Result.PROCEED
            : Preconditions.check(ex.requestHeaders(), etag, mtime, s.get(StaticModule.IF_MODIFIED_SINCE));
        if (pre == Preconditions.Result.FAILED) {
            file.release();
            ex.sendError(412);
            return;
        }
        if (pre == Preconditions.Result.NOT_MODIFIED) {
            file.release();
            HttpHeaders h = new DefaultHttpHeaders();
            h.set(HeaderNames.LAST_MODIFIED, lastModified);
            if (etag != null) {
                h.set(HeaderNames.ETAG, etag);
            }
            ex.send(304, h, null);
            return;
        }

        ByteRanges.Result ranges = ByteRanges.Result.NONE;
        int maxRanges = errorPage ? 0 : s.get(StaticModule.MAX_RANGES);
        if (maxRanges > 0 && ifRangeHolds(ex.requestHeaders().get(HttpHeaderNames.IF_RANGE), etag, mtime)) {
            ranges = ByteRanges.parse(ex.requestHeaders().get(HttpHeaderNames.RANGE), size, maxRanges);
        }
        if (ranges.kind() == ByteRanges.Kind.UNSATISFIABLE) {
            file.release();
            ex.attach(Unsatisfiable.class, new Unsatisfiable(size));
            ex.sendError(416);
            return;
        }

        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        HttpHeaders h = head.headers();
        List<long[]> parts = ranges.ranges();
        if (parts.size() == 1) {
            long[] r = parts.get(0);
            head.setStatus(HttpResponseStatus.PARTIAL_CONTENT);
            h.set(HeaderNames.CONTENT_TYPE, type);
            h.set(HeaderNames.CONTENT_LENGTH, r[1] - r[0]);
            headersAfterLength(h, lastModified, etag);
            h.set(HeaderNames.CONTENT_RANGE, "bytes " + r[0] + "-" + (r[1] - 1) + "/" + size);
            ex.writeHead(head);
            body(ex, file, List.of(r), null);
            return;
        }
        if (parts.size() > 1) {
            multipart(ex, file, head, type, lastModified, etag, parts);
            return;
        }
        h.set(HeaderNames.CONTENT_TYPE, type);
        h.set(HeaderNames.CONTENT_LENGTH, size);
        headersAfterLength(h, lastModified, etag);
        if (maxRanges > 0) {
            h.set(HeaderNames.ACCEPT_RANGES, "bytes");
        }
        ex.writeHead(head);
        body(ex, file, size == 0 ? List.of() : List.of(new long[] {0, size}), null);
    }

    private static void headersAfterLength(HttpHeaders h, String lastModified, String etag) {
        if (lastModified != null) {
            h.set(HeaderNames.LAST_MODIFIED, lastModified);
        }
        if (etag != null) {
            h.set(HeaderNames.ETAG, etag);
        }
    }

    /** If-Range: a quoted value must equal the entity tag, a date the modification time; otherwise the whole file. */
    private static boolean ifRangeHolds(String ifRange, String etag, long mtime) {
        if (ifRange == null) {
            return true;
        }
        if (ifRange.length() >= 2 && ifRange.endsWith("\"")) {
            return ifRange.equals(etag);
        }
        return Preconditions.parseTime(ifRange) == mtime;
    }

    /** RFC 9110 section 14.6: multipart/byteranges, each part with its own Content-Type and Content-Range. */
    private static void multipart(Exchange ex, OpenFile file, HttpResponse head, String type, String lastModified,
                                  String etag, List<long[]> parts) {
        String boundary = String.format(Locale.ROOT, "%020d", BOUNDARY.incrementAndGet());
        String partType = CharsetFilter.apply(ex, type);
        long size = file.size();
        byte[][] partHeads = new byte[parts.size()][];
        long length = 0;
        for (int i = 0; i < parts.size(); i++) {
            long[] r = parts.get(i);
            partHeads[i] = ("\r\n--" + boundary + "\r\nContent-Type: " + partType + "\r\nContent-Range: bytes "
                + r[0] + "-" + (r[1] - 1) + "/" + size + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
            length += partHeads[i].length + (r[1] - r[0]);
        }
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.ISO_8859_1);
        length += tail.length;
        head.setStatus(HttpResponseStatus.PARTIAL_CONTENT);
        HttpHeaders h = head.headers();
        h.set(HeaderNames.CONTENT_TYPE, "multipart/byteranges; boundary=" + boundary);
        h.set(HeaderNames.CONTENT_LENGTH, length);
        headersAfterLength(h, lastModified, etag);
        ex.writeHead(head);
        body(ex, file, parts, new byte[][][] {partHeads, {tail}});
    }

    /**
     * Writes the file ranges (with multipart framing when given) and ends the response. Without TLS
     * the ranges go as FileRegions (sendfile); with TLS as chunks through a ChunkedWriteHandler,
     * added to the connection's pipeline the first time it is needed. Either way the channel's
     * writability paces the reads, so a slow client holds an open file, never a copy of it.
     */
    private static void body(Exchange ex, OpenFile file, List<long[]> ranges, byte[][][] framing) {
        if (ex.isHead() || ranges.isEmpty()) {
            file.release();
            ex.end(LastHttpContent.EMPTY_LAST_CONTENT);
            return;
        }
        // the client side takes file chunks (ChunkedInput) where a FileRegion cannot go (TLS, HTTP/2)
        boolean zeroCopy = !forceChunked && ex.takesFileRegions();
        for (int i = 0; i < ranges.size(); i++) {
            long[] r = ranges.get(i);
            if (framing != null) {
                ex.writeContent(new DefaultHttpContent(Unpooled.wrappedBuffer(framing[0][i])), false);
            }
            long len = r[1] - r[0];
            ex.writeRaw(zeroCopy ? file.region(r[0], len) : file.chunks(r[0], len), len, false);
        }
        file.release();
        ex.end(framing == null ? LastHttpContent.EMPTY_LAST_CONTENT
            : new io.netty.handler.codec.http.DefaultLastHttpContent(Unpooled.wrappedBuffer(framing[1][0])));
    }

    /** The type already set (X-Accel-Redirect), else the one for the URI's extension from {@code types}, else {@code default_type}. */
    static String contentType(Exchange ex) {
        String preset = ex.presetContentType();
        if (preset != null) {
            return preset;
        }
        String t = ex.settings().get(StaticModule.TYPES).lookup(MimeTypes.extension(ex.uri()));
        return t != null ? t : ex.settings().get(HttpModule.DEFAULT_TYPE);
    }

    /** Header filter: a 416 caused by a Range header carries {@code Content-Range: bytes *}{@code /size}. */
    static void unsatisfiableRangeHeader(Exchange ex, HttpResponse response) {
        if (response.status().code() == 416) {
            Unsatisfiable u = ex.attachment(Unsatisfiable.class);
            if (u != null) {
                response.headers().set(HeaderNames.CONTENT_RANGE, "bytes */" + u.size());
            }
        }
    }
}
