package dev.portico.routing;

import dev.portico.bytes.ByteStrings;
import dev.portico.http.Exchange;
import dev.portico.observability.ErrorLog;
import dev.portico.variables.Template;
import dev.portico.variables.Variable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The condition of an {@code if} block (ngx_http_rewrite_module's "if (condition)"). */
interface Condition {
    boolean test(Exchange ex);

    /** {@code ($var)}: false when the value is empty or "0". */
    record Truth(Variable variable) implements Condition {
        @Override
        public boolean test(Exchange ex) {
            String v = variable.get(ex);
            return v != null && !v.isEmpty() && !v.equals("0");
        }
    }

    /** {@code ($var = value)} and {@code ($var != value)}: plain string comparison. */
    record Comparison(Variable variable, Template value, boolean negate) implements Condition {
        @Override
        public boolean test(Exchange ex) {
            String v = variable.get(ex);
            return (v == null ? "" : v).equals(value.render(ex)) != negate;
        }
    }

    /** {@code ~}, {@code ~*}, {@code !~}, {@code !~*}: a successful match sets the captures. */
    record RegexTest(Variable variable, Pattern regex, String source, boolean negate) implements Condition {
        @Override
        public boolean test(Exchange ex) {
            String v = variable.get(ex);
            String line = v == null ? "" : v;
            Matcher m = regex.matcher(line);
            boolean log = RewriteLog.enabled(ex);
            if (m.find()) {
                if (log) {
                    RewriteLog.notice(ex, "\"" + source + "\" matches \"" + ErrorLog.escape(line) + "\"");
                }
                if (m.groupCount() > 0) {
                    ex.captures(m);
                }
                return !negate;
            }
            if (log) {
                RewriteLog.notice(ex, "\"" + source + "\" does not match \"" + ErrorLog.escape(line) + "\"");
            }
            ex.clearCaptures();
            return negate;
        }
    }

    /**
     * {@code -f}, {@code -d}, {@code -e}, {@code -x} and their {@code !} forms. Like nginx this
     * is a stat() on the request thread (the event loop): it blocks for as long as the file
     * system takes, which is why the documentation recommends try_files instead.
     */
    record FileTest(Template path, char op, boolean negate) implements Condition {
        @Override
        public boolean test(Exchange ex) {
            BasicFileAttributes a;
            Path p;
            try {
                p = ByteStrings.path(path.render(ex));
                a = Files.readAttributes(p, BasicFileAttributes.class);
            } catch (IOException | InvalidPathException e) {
                return negate;
            }
            boolean r = switch (op) {
                case 'f' -> a.isRegularFile();
                case 'd' -> a.isDirectory();
                case 'x' -> executable(p);
                default -> true;
            };
            return r != negate;
        }

        private static boolean executable(Path p) {
            try {
                Set<PosixFilePermission> perms = Files.readAttributes(p, PosixFileAttributes.class).permissions();
                return perms.contains(PosixFilePermission.OWNER_EXECUTE) || perms.contains(PosixFilePermission.GROUP_EXECUTE)
                    || perms.contains(PosixFilePermission.OTHERS_EXECUTE);
            } catch (UnsupportedOperationException | IOException e) {
                return Files.isExecutable(p);
            }
        }
    }
}
