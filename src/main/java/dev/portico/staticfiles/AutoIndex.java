package dev.portico.staticfiles;

import dev.portico.bytes.ByteStrings;
import dev.portico.http.Exchange;
import dev.portico.observability.LogLevel;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * ngx_http_autoindex_module: lists a directory for a URI ending in "/" when no index file was
 * found. Reading and rendering happen on the file pool; the page goes out with a Content-Length.
 */
final class AutoIndex {
    enum Format { HTML, JSON, JSONP, XML }

    /** One directory entry as the listing shows it. */
    record Entry(String name, boolean dir, boolean file, long mtimeSeconds, long size) {
    }

    private record Listing(int status, byte[] body) {
    }

    private AutoIndex() {
    }

    static void run(Exchange ex) {
        Format format = ex.settings().get(StaticModule.AUTOINDEX_FORMAT);
        String callback = null;
        if (format == Format.JSONP) {
            callback = arg(ex.args(), "callback");
            if (callback != null && !validCallback(ex, callback)) {
                ex.sendError(400);
                return;
            }
            if (callback == null || callback.isEmpty()) {
                format = Format.JSON;
                callback = null;
            }
        }
        String path = StaticContent.requestFilename(ex);
        if (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        String contentType = switch (format) {
            case JSON -> "application/json";
            case JSONP -> "application/javascript";
            case XML -> "text/xml; charset=utf-8";
            default -> "text/html";
        };
        AutoIndexPage page = new AutoIndexPage(format, ex.uri(), ex.settings().get(StaticModule.AUTOINDEX_EXACT_SIZE),
            ex.settings().get(StaticModule.AUTOINDEX_LOCALTIME), CharsetFilter.htmlIsUtf8(ex), callback);
        RequestLog log = RequestLog.of(ex);
        String dir = path;
        FileIo.run(ex, () -> list(dir, page, log), listing -> {
            if (listing.status() != 200) {
                ex.sendError(listing.status());
                return;
            }
            HttpHeaders h = new DefaultHttpHeaders();
            h.set(HeaderNames.CONTENT_TYPE, contentType);
            ex.send(200, h, Unpooled.wrappedBuffer(listing.body()));
        }, null);
    }

    private static Listing list(String dir, AutoIndexPage page, RequestLog log) {
        List<Entry> entries = new ArrayList<>();
        Path d;
        try {
            d = ByteStrings.path(dir);
        } catch (InvalidPathException e) {
            return new Listing(404, null);
        }
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(d)) {
            for (Path p : stream) {
                String name = p.getFileName().toString();
                if (name.startsWith(".")) {
                    continue;
                }
                BasicFileAttributes a;
                try {
                    a = Files.readAttributes(p, BasicFileAttributes.class);
                } catch (IOException e) {
                    FsError err = FsError.of(e);
                    if (err != FsError.NOT_FOUND && err != FsError.LOOP) {
                        log.failed(LogLevel.CRIT, "stat()", p.toString(), err);
                        if (err == FsError.ACCESS) {
                            continue;
                        }
                        return new Listing(500, null);
                    }
                    try {
                        // a dangling or looping symbolic link is listed as itself, as nginx does
                        a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                    } catch (IOException e2) {
                        log.failed(LogLevel.CRIT, "lstat()", p.toString(), FsError.of(e2));
                        return new Listing(500, null);
                    }
                }
                entries.add(new Entry(name, a.isDirectory(), a.isRegularFile(), a.lastModifiedTime().toMillis() / 1000, a.size()));
            }
        } catch (IOException e) {
            FsError err = FsError.of(e);
            int status = switch (err) {
                case NOT_FOUND, NOT_DIR, NAME_TOO_LONG -> 404;
                case ACCESS -> 403;
                default -> 500;
            };
            log.failed(status == 500 ? LogLevel.CRIT : LogLevel.ERROR, "opendir()", dir, err);
            return new Listing(status, null);
        }
        return new Listing(200, page.render(entries));
    }

    /** nginx's callback check: at most 128 characters of letters, digits, "_" and ".". */
    private static boolean validCallback(Exchange ex, String callback) {
        if (callback.length() > 128) {
            RequestLog.of(ex).log(LogLevel.INFO, "client sent too long callback name: \"" + callback + "\"");
            return false;
        }
        for (int i = 0; i < callback.length(); i++) {
            char c = callback.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
            if (!ok) {
                RequestLog.of(ex).log(LogLevel.INFO, "client sent invalid callback name: \"" + callback + "\"");
                return false;
            }
        }
        return true;
    }

    /** The raw value of the first query argument of that name (nginx's ngx_http_arg, case-insensitive), or null. */
    static String arg(String args, String name) {
        if (args == null || args.isEmpty()) {
            return null;
        }
        for (String pair : args.split("&", -1)) {
            int eq = pair.indexOf('=');
            if (eq == name.length() && pair.regionMatches(true, 0, name, 0, name.length())) {
                return pair.substring(eq + 1);
            }
        }
        return null;
    }
}
