package dev.portico.proxy;

import dev.portico.http.Exchange;
import dev.portico.variables.Template;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One {@code proxy_cookie_flags} rule: the cookie it applies to (a name with variables compared
 * case-insensitively, or a caseless regex after {@code ~}) and its flags (text or variables, as
 * nginx 1.19.8+; a value that is no flag at run time is skipped, as nginx does).
 */
record CookieFlagRule(Template name, Pattern regex, List<Template> flags) {
    static final int SECURE = 1;
    static final int NO_SECURE = 2;
    static final int HTTP_ONLY = 4;
    static final int NO_HTTP_ONLY = 8;
    static final int STRICT = 16;
    static final int LAX = 32;
    static final int NONE = 64;
    static final int NO_SAME_SITE = 128;

    private static final Map<String, Integer> MASKS = Map.of("secure", SECURE, "nosecure", NO_SECURE,
        "httponly", HTTP_ONLY, "nohttponly", NO_HTTP_ONLY, "samesite=strict", STRICT, "samesite=lax", LAX,
        "samesite=none", NONE, "nosamesite", NO_SAME_SITE);

    /** A flag's mask, or 0 when the text is not one. */
    static int mask(String flag) {
        Integer m = MASKS.get(flag.toLowerCase(Locale.ROOT));
        return m == null ? 0 : m;
    }

    boolean matches(Exchange ex, String cookie) {
        return regex != null ? regex.matcher(cookie).find() : name.render(ex).equalsIgnoreCase(cookie);
    }

    int mask(Exchange ex) {
        int m = 0;
        for (Template f : flags) {
            m |= mask(f.render(ex));
        }
        return m;
    }
}
