package dev.portico.staticfiles;

import dev.portico.config.ConfNode;
import dev.portico.config.ConfigException;
import dev.portico.config.directive.Settings;
import dev.portico.core.BuildContext;
import dev.portico.http.Exchange;
import dev.portico.http.Location;
import dev.portico.http.PhaseHandler;
import dev.portico.http.RequestProcessor;
import dev.portico.observability.LogLevel;
import dev.portico.variables.Template;
import dev.portico.variables.Variables;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code try_files file ... uri | =code}: in the precontent phase, the first file (or, with a
 * trailing slash, directory) that exists becomes the URI and the location's content handler runs
 * with it; if none exists, the last parameter decides: an internal redirect (its query replaces
 * the request's, even when empty, as in nginx), a named location, or a status.
 */
final class TryFiles {
    private record Param(Template name, boolean testDir) {
    }

    private record Candidate(String name, String path, boolean testDir) {
    }

    private final List<Param> files;
    private final Template fallback;
    private final int code;

    private TryFiles(List<Param> files, Template fallback, int code) {
        this.files = files;
        this.fallback = fallback;
        this.code = code;
    }

    static TryFiles parse(ConfNode node, Variables variables) throws ConfigException {
        List<Param> files = new ArrayList<>();
        int last = node.argCount() - 1;
        for (int i = 0; i < last; i++) {
            String v = node.arg(i);
            boolean testDir = v.endsWith("/");
            if (testDir) {
                v = v.substring(0, v.length() - 1);
            }
            files.add(new Param(Template.compile(v, variables), testDir));
        }
        String fallback = node.arg(last);
        if (fallback.startsWith("=")) {
            String digits = fallback.substring(1);
            int code = digits.isEmpty() || digits.length() > 9 || !digits.chars().allMatch(Character::isDigit)
                ? -1 : Integer.parseInt(digits);
            if (code < 0 || code > 999) {
                throw node.error("invalid code \"" + fallback + "\"");
            }
            if (code > 0) {
                return new TryFiles(List.copyOf(files), null, code);
            }
        }
        return new TryFiles(List.copyOf(files), Template.compile(fallback, variables), 0);
    }

    /** The precontent handler of a location with try_files (none elsewhere): looks for the files off the event loop. */
    static PhaseHandler handler(Settings location, BuildContext build) {
        TryFiles tf = location.get(StaticModule.TRY_FILES);
        if (tf == null) {
            return null;
        }
        return ex -> {
            tf.start(ex);
            return PhaseHandler.AGAIN;
        };
    }

    private void start(Exchange ex) {
        DocRoot root = StaticContent.docRoot(ex);
        String base = root.base(ex);
        String uri = ex.uri();
        List<Candidate> candidates = new ArrayList<>(files.size());
        for (Param p : files) {
            String name = p.name().render(ex);
            if (root.kind() == DocRoot.Kind.ALIAS && !p.name().isConstant()
                && name.regionMatches(0, uri, 0, Math.min(root.aliasLength(), uri.length()))
                && name.length() >= root.aliasLength()) {
                name = name.substring(root.aliasLength());
            }
            candidates.add(new Candidate(name, base + name, p.testDir()));
        }
        SymlinkPolicy.Guard guard = ex.settings().get(StaticModule.DISABLE_SYMLINKS).guard(ex);
        RequestLog log = RequestLog.of(ex);
        FileIo.run(ex, () -> firstExisting(candidates, root, base, guard, log), found -> {
            if (found >= 0) {
                use(ex, root, uri, candidates.get(found));
            } else {
                fallBack(ex);
            }
        }, null);
    }

    private static int firstExisting(List<Candidate> candidates, DocRoot root, String base, SymlinkPolicy.Guard guard, RequestLog log) {
        for (int i = 0; i < candidates.size(); i++) {
            Candidate c = candidates.get(i);
            if (!root.allows(c.path(), base)) {
                continue;
            }
            FileProbe probe = FileProbe.stat(c.path(), guard);
            if (!probe.found()) {
                FsError e = probe.error();
                if (e != FsError.NOT_FOUND && e != FsError.NOT_DIR && e != FsError.NAME_TOO_LONG) {
                    log.failed(LogLevel.CRIT, guard.call("stat()"), c.path(), e);
                }
                continue;
            }
            if (probe.dir() == c.testDir()) {
                return i;
            }
        }
        return -1;
    }

    /** The file exists: it becomes the URI, and this location's content handler runs (nginx goes on to the content phase). */
    private static void use(Exchange ex, DocRoot root, String uri, Candidate c) {
        switch (root.kind()) {
            case ROOT -> ex.uri(c.name());
            case ALIAS -> ex.uri(uri.substring(0, Math.min(root.aliasLength(), uri.length())) + c.name());
            default -> {
                if (!c.testDir()) {
                    ex.uri(c.name());
                    ex.attach(StaticContent.AddUriToAlias.class, new StaticContent.AddUriToAlias(c.name()));
                }
            }
        }
        // nginx goes on to the content phase
        RequestProcessor.resume(ex, PhaseHandler.OK);
    }

    private void fallBack(Exchange ex) {
        if (fallback == null) {
            ex.sendError(code);
            return;
        }
        String target = fallback.render(ex);
        if (target.startsWith("@")) {
            Location named = ex.server().namedLocation(target);
            if (named == null) {
                RequestLog.of(ex).log(LogLevel.ERROR, "could not find named location \"" + target + "\"");
                ex.sendError(500);
                return;
            }
            ex.namedRedirect(named);
            return;
        }
        int q = target.indexOf('?');
        ex.internalRedirect(q < 0 ? target : target.substring(0, q), q < 0 ? "" : target.substring(q + 1));
    }
}
