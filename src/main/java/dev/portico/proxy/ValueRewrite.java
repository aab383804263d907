package dev.portico.proxy;

import dev.portico.http.Exchange;
import dev.portico.variables.Template;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code proxy_redirect}, {@code proxy_cookie_domain} or {@code proxy_cookie_path} rule,
 * applied to a header value (or an attribute value). Returns the new value, or null when the
 * rule does not match (the next rule is tried).
 */
interface ValueRewrite {
    String apply(Exchange ex, String value);

    /** A text (with variables) that must begin the value; that beginning is replaced (case-sensitive, as nginx). */
    record Prefix(Template pattern, Template replacement) implements ValueRewrite {
        @Override
        public String apply(Exchange ex, String value) {
            String p = pattern.render(ex);
            if (!value.startsWith(p)) {
                return null;
            }
            return replacement.render(ex) + value.substring(p.length());
        }
    }

    /** A regex ({@code ~} or {@code ~*}); on a match the whole value becomes the replacement, with captures. */
    record Regex(Pattern pattern, Template replacement) implements ValueRewrite {
        @Override
        public String apply(Exchange ex, String value) {
            Matcher m = pattern.matcher(value);
            if (!m.find()) {
                return null;
            }
            ex.captures(m);
            return replacement.render(ex);
        }
    }

    /**
     * A cookie domain: compared whole and case-insensitively, a leading dot on either side
     * ignored (and kept in the cookie).
     */
    record Domain(Template pattern, Template replacement) implements ValueRewrite {
        @Override
        public String apply(Exchange ex, String value) {
            String dot = value.startsWith(".") ? "." : "";
            String v = value.substring(dot.length());
            String p = pattern.render(ex);
            if (!v.toLowerCase(Locale.ROOT).equals(p.toLowerCase(Locale.ROOT))) {
                return null;
            }
            return dot + replacement.render(ex);
        }
    }
}
