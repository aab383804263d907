package dev.portico.observability;

import dev.portico.bytes.ByteStrings;
import dev.portico.http.Exchange;
import dev.portico.variables.Template;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * One {@code access_log} directive, compiled: where lines go (a fixed file, or a path with
 * variables rendered per request), in which format, and the {@code if=} condition.
 */
record AccessLog(Path path, Template pathTemplate, LogFormat format, Template condition) {
    /** {@code access_log off;} */
    static final AccessLog OFF = new AccessLog(null, null, null, null);

    boolean off() {
        return format == null;
    }

    boolean dynamic() {
        return pathTemplate != null;
    }

    /** {@code if=}: the line is skipped when the condition is empty or "0". */
    boolean wanted(Exchange ex) {
        if (condition == null) {
            return true;
        }
        String v = condition.render(ex);
        return !v.isEmpty() && !v.equals("0");
    }

    /**
     * The file for this request. A path built from variables must not climb out with a ".."
     * segment or hold a NUL byte (nginx does not check; Portico refuses such a line); null then.
     */
    Path target(Exchange ex) {
        if (pathTemplate == null) {
            return path;
        }
        String p = pathTemplate.render(ex);
        if (p.indexOf('\0') >= 0 || p.equals("..") || p.contains("/../") || p.endsWith("/..") || p.startsWith("../")) {
            return null;
        }
        try {
            return ByteStrings.path(p);
        } catch (InvalidPathException e) {
            return null;
        }
    }
}
