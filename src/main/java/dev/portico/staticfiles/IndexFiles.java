package dev.portico.staticfiles;

import dev.portico.http.Exchange;
import dev.portico.observability.LogLevel;
import dev.portico.variables.Template;
import java.util.ArrayList;
import java.util.List;

/**
 * ngx_http_index_module: for a URI ending in "/", the first {@code index} file that exists causes
 * an internal redirect to URI + name; an absolute last entry is redirected to without a check. The
 * directory itself is tested once an index is missing, so a missing directory is 404.
 */
final class IndexFiles {
    private record Outcome(String redirect, int status) {
        static final Outcome NONE = new Outcome(null, 0);
    }

    private IndexFiles() {
    }

    static void run(Exchange ex) {
        if (!FileResponse.getHeadOrPost(ex)) {
            StaticContent.afterIndex(ex);
            return;
        }
        String uri = ex.uri();
        List<String> names = new ArrayList<>();
        String absolute = null;
        for (Template t : ex.settings().get(StaticModule.INDEX)) {
            String name = t.render(ex);
            if (name.startsWith("/")) {
                absolute = name;
                break;
            }
            names.add(name);
        }
        if (names.isEmpty() && absolute != null) {
            ex.internalRedirect(absolute, null);
            return;
        }
        DocRoot root = StaticContent.docRoot(ex);
        String base = root.base(ex);
        String dir = root.join(base, uri, StaticContent.addUri(ex));
        SymlinkPolicy.Guard guard = ex.settings().get(StaticModule.DISABLE_SYMLINKS).guard(ex);
        boolean logNotFound = ex.settings().get(StaticModule.LOG_NOT_FOUND);
        RequestLog log = RequestLog.of(ex);
        String fallback = absolute;
        FileIo.run(ex, () -> find(root, base, dir, uri, names, fallback, guard, logNotFound, log), outcome -> {
            if (outcome.redirect() != null) {
                ex.internalRedirect(outcome.redirect(), null);
            } else if (outcome.status() != 0) {
                ex.sendError(outcome.status());
            } else {
                StaticContent.afterIndex(ex);
            }
        }, null);
    }

    private static Outcome find(DocRoot root, String base, String dir, String uri, List<String> names, String absolute,
                                SymlinkPolicy.Guard guard, boolean logNotFound, RequestLog log) {
        boolean dirTested = false;
        for (String name : names) {
            String path = dir + name;
            if (!root.allows(path, base)) {
                continue;
            }
            FileProbe probe = FileProbe.stat(path, guard);
            if (probe.found()) {
                return new Outcome(uri + name, 0);
            }
            FsError e = probe.error();
            if (e == FsError.LOOP) {
                // a refused symbolic link (disable_symlinks)
                log.failed(LogLevel.ERROR, guard.call("open()"), path, e);
                return new Outcome(null, 403);
            }
            if (e == FsError.NOT_DIR || e == FsError.NAME_TOO_LONG || e == FsError.ACCESS) {
                return error(path, e, logNotFound, log);
            }
            if (!dirTested) {
                Outcome o = testDir(dir, path, guard, logNotFound, log);
                if (o != null) {
                    return o;
                }
                dirTested = true;
            }
            if (e != FsError.NOT_FOUND) {
                log.failed(LogLevel.CRIT, guard.call("open()"), path, e);
                return new Outcome(null, 500);
            }
        }
        return absolute != null ? new Outcome(absolute, 0) : Outcome.NONE;
    }

    /** The directory must exist (404 otherwise) and be a directory; a refused search is left to the files. */
    private static Outcome testDir(String dir, String indexPath, SymlinkPolicy.Guard guard, boolean logNotFound, RequestLog log) {
        String d = dir.length() > 1 && dir.endsWith("/") ? dir.substring(0, dir.length() - 1) : dir;
        FileProbe probe = FileProbe.stat(d, guard);
        if (!probe.found()) {
            if (probe.error() == FsError.NOT_FOUND) {
                return error(indexPath, FsError.NOT_FOUND, logNotFound, log);
            }
            if (probe.error() == FsError.ACCESS) {
                return null;
            }
            log.failed(LogLevel.CRIT, guard.call("stat()"), d, probe.error());
            return new Outcome(null, 500);
        }
        if (!probe.dir()) {
            log.log(LogLevel.CRIT, "\"" + d + "\" is not a directory");
            return new Outcome(null, 500);
        }
        return null;
    }

    private static Outcome error(String path, FsError e, boolean logNotFound, RequestLog log) {
        if (e == FsError.ACCESS) {
            log.log(LogLevel.ERROR, "\"" + path + "\" is forbidden " + e.suffix());
            return new Outcome(null, 403);
        }
        if (logNotFound) {
            log.log(LogLevel.ERROR, "\"" + path + "\" is not found " + e.suffix());
        }
        return new Outcome(null, 404);
    }
}
