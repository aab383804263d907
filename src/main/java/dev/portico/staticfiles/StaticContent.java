package dev.portico.staticfiles;

import dev.portico.bytes.ByteStrings;
import dev.portico.http.ContentHandler;
import dev.portico.http.Exchange;
import dev.portico.observability.LogLevel;
import io.netty.handler.codec.http.HttpMethod;
import java.io.IOException;
import java.nio.file.InvalidPathException;

/**
 * The default content handler of every location without another one, as nginx's content phase
 * for such a location: a URI ending in "/" goes to the index module, then autoindex, then is
 * refused (403); any other URI is a file ({@link FileResponse}).
 */
public final class StaticContent {
    private StaticContent() {
    }

    /**
     * nginx's add_uri_to_alias: after try_files found a file in a regex location with alias, the
     * (new) URI is appended to the alias. Valid only while the URI is the one try_files set.
     */
    record AddUriToAlias(String uri) {
    }

    public static ContentHandler handler() {
        return StaticContent::serve;
    }

    private static void serve(Exchange ex) {
        if (ex.uri().endsWith("/")) {
            IndexFiles.run(ex);
            return;
        }
        FileResponse.serve(ex);
    }

    /** No index file was found: a listing if autoindex is on, else nginx's "directory index ... is forbidden". */
    static void afterIndex(Exchange ex) {
        HttpMethod m = ex.method();
        boolean getOrHead = m == HttpMethod.GET || m == HttpMethod.HEAD;
        if (getOrHead && ex.settings().get(StaticModule.AUTOINDEX)) {
            AutoIndex.run(ex);
            return;
        }
        if (!FileResponse.getHeadOrPost(ex)) {
            ex.sendError(405);
            return;
        }
        RequestLog.of(ex).log(LogLevel.ERROR, "directory index of \"" + requestFilename(ex) + "\" is forbidden");
        ex.sendError(403);
    }

    static DocRoot docRoot(Exchange ex) {
        DocRoot r = ex.settings().get(StaticModule.ROOT);
        return r == null ? DocRoot.DEFAULT : r;
    }

    static boolean addUri(Exchange ex) {
        AddUriToAlias a = ex.attachment(AddUriToAlias.class);
        return a != null && a.uri().equals(ex.uri());
    }

    /** {@code $request_filename}: the file the current URI maps to. */
    static String requestFilename(Exchange ex) {
        return docRoot(ex).map(ex, ex.uri(), addUri(ex));
    }

    /**
     * {@code $realpath_root}: the document root with symbolic links resolved. Computed when read,
     * on the calling thread (a realpath() call, as in nginx).
     */
    static String realpathRoot(Exchange ex) {
        String base = docRoot(ex).base(ex);
        try {
            return ByteStrings.fromText(ByteStrings.path(base).toRealPath().toString());
        } catch (IOException e) {
            RequestLog.of(ex).failed(LogLevel.CRIT, "realpath()", base, FsError.of(e));
            return null;
        } catch (InvalidPathException e) {
            return null;
        }
    }
}
