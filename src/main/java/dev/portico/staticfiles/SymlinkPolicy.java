package dev.portico.staticfiles;

import dev.portico.http.Exchange;
import dev.portico.variables.Template;

/**
 * {@code disable_symlinks off | on | if_not_owner [from=part]}: whether a symbolic link on the way to
 * a file refuses it. The {@code from=} part (variables allowed, typically {@code $document_root}) is a
 * leading part of the path that is not checked.
 */
record SymlinkPolicy(Mode mode, Template from) {
    enum Mode { OFF, ON, IF_NOT_OWNER }

    static final SymlinkPolicy OFF = new SymlinkPolicy(Mode.OFF, null);

    /** What one request checks: the mode and how many leading characters of a path are trusted. */
    record Guard(Mode mode, String from) {
        static final Guard NONE = new Guard(Mode.OFF, null);

        /** The call a failure is logged under: nginx opens component by component with openat() when checking links. */
        String call(String plain) {
            return mode == Mode.OFF ? plain : "openat()";
        }

        /** Number of leading characters of {@code path} whose components are not checked, or -1 for "check nothing". */
        int trusted(String path) {
            if (from == null || from.isEmpty() || from.length() > path.length() || !path.startsWith(from)) {
                return 0;
            }
            if (from.length() == path.length()) {
                return -1;
            }
            if (path.charAt(from.length()) == '/') {
                return from.length();
            }
            return from.endsWith("/") ? from.length() - 1 : 0;
        }
    }

    Guard guard(Exchange ex) {
        if (mode == Mode.OFF) {
            return Guard.NONE;
        }
        return new Guard(mode, from == null ? null : from.render(ex));
    }
}
