package dev.portico.staticfiles;

import dev.portico.bytes.ByteStrings;
import dev.portico.http.Exchange;
import dev.portico.variables.Template;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * The {@code root} or {@code alias} in force, and how a URI maps to a file under it (nginx's
 * ngx_http_map_uri_to_path): {@code root} appends the whole URI; {@code alias} in a prefix location
 * replaces the location's prefix; {@code alias} in a regex location is the whole path (with
 * captures), the URI being appended only after {@code try_files} found a file.
 */
final class DocRoot {
    enum Kind { ROOT, ALIAS, REGEX_ALIAS }

    /** nginx's default {@code root html}, relative to the prefix. */
    static final DocRoot DEFAULT = new DocRoot(Kind.ROOT, Template.literal("html"), null, 0);

    private final Kind kind;
    private final Template value;
    private final String constant;
    private final int aliasLength;

    /**
     * @param constant the full path when {@code value} has no variables (resolved at load), else null
     * @param aliasLength for a prefix alias, the length of the location's name
     */
    DocRoot(Kind kind, Template value, String constant, int aliasLength) {
        this.kind = kind;
        this.value = value;
        this.constant = constant;
        this.aliasLength = aliasLength;
    }

    Kind kind() {
        return kind;
    }

    boolean isAlias() {
        return kind != Kind.ROOT;
    }

    int aliasLength() {
        return aliasLength;
    }

    /** A relative path is relative to the prefix (nginx's ngx_get_full_name). */
    static String full(String prefix, String path) {
        if (path.startsWith("/")) {
            return path;
        }
        return prefix.endsWith("/") ? prefix + path : prefix + "/" + path;
    }

    /** {@code $document_root}: the root or alias, variables rendered, made absolute. */
    String base(Exchange ex) {
        if (constant != null) {
            return constant;
        }
        return full(ex.snapshot().prefix().prefix().toString(), value.render(ex));
    }

    /** The file a URI names ({@code $request_filename}); {@code addUri} is nginx's add_uri_to_alias. */
    String map(Exchange ex, String uri, boolean addUri) {
        return join(base(ex), uri, addUri);
    }

    /** The part of the path that comes from the request, appended to the rendered root. */
    String join(String base, String uri, boolean addUri) {
        switch (kind) {
            case ROOT:
                return base + uri;
            case ALIAS:
                return base + (uri.length() > aliasLength ? uri.substring(aliasLength) : "");
            default:
                return addUri ? base + uri : base;
        }
    }

    /**
     * True when a path built from this root may be opened: it must not climb out of the root. A URI
     * cannot climb (the normaliser resolved its "..") but an alias without a trailing slash, a
     * capture or an argument in a template can produce "..": nginx follows it, Portico refuses it.
     * A regex alias is built from captures as a whole, so there no ".." segment is allowed at all.
     */
    boolean allows(String path, String base) {
        if (kind == Kind.REGEX_ALIAS) {
            for (String segment : path.split("/")) {
                if (segment.equals("..")) {
                    return false;
                }
            }
            return true;
        }
        return inside(path, base);
    }

    /** True when {@code path}, its dot segments resolved, stays under {@code base}. */
    static boolean inside(String path, String base) {
        if (path.indexOf("..") < 0) {
            return true;
        }
        try {
            Path p = ByteStrings.path(path).normalize();
            Path b = ByteStrings.path(base.isEmpty() ? "/" : base).normalize();
            return p.startsWith(b) && !containsDotDot(p);
        } catch (InvalidPathException e) {
            return false;
        }
    }

    private static boolean containsDotDot(Path p) {
        for (Path part : p) {
            if (part.toString().equals("..")) {
                return true;
            }
        }
        return false;
    }
}
