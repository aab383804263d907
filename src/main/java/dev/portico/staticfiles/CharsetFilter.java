package dev.portico.staticfiles;

import dev.portico.config.directive.Settings;
import dev.portico.http.Exchange;
import dev.portico.variables.Template;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import java.util.Locale;
import java.util.Set;

/**
 * ngx_http_charset_module's header part: adds {@code ; charset=NAME} to the Content-Type of
 * responses whose type is in {@code charset_types} (text/html always). Like nginx it applies to
 * every response with such a type (files, error pages, proxied responses) unless the response
 * already names a charset or is content-encoded. Portico never recodes a body.
 */
final class CharsetFilter {
    private CharsetFilter() {
    }

    /** {@code charset NAME|off}; NAME may hold variables. */
    record Setting(Template name) {
        static final Setting OFF = new Setting(null);
    }

    /** {@code charset_types}: the MIME types that get the charset; "*" matches all. */
    record Types(boolean any, Set<String> types) {
        static final Types DEFAULT = new Types(false, Set.of("text/html", "text/xml", "text/plain", "text/vnd.wap.wml",
            "application/javascript", "application/rss+xml"));

        boolean matches(String bareType) {
            return any || bareType.equals("text/html") || types.contains(bareType);
        }
    }

    static void filter(Exchange ex, HttpResponse response) {
        if (ex.server() == null) {
            return;
        }
        String ct = response.headers().get(HttpHeaderNames.CONTENT_TYPE);
        if (ct == null || ct.isEmpty() || response.headers().contains(HttpHeaderNames.CONTENT_ENCODING)) {
            return;
        }
        String withCharset = apply(ex, ct);
        if (withCharset != ct) {
            response.headers().set(HeaderNames.CONTENT_TYPE, withCharset);
        }
    }

    /** The Content-Type with the configured charset added, or {@code contentType} itself when none applies. */
    static String apply(Exchange ex, String contentType) {
        Settings s = ex.settings();
        Setting setting = s.get(StaticModule.CHARSET);
        if (setting.name() == null) {
            return contentType;
        }
        int semi = contentType.indexOf(';');
        String bare = (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
        if (semi >= 0 && contentType.toLowerCase(Locale.ROOT).indexOf("charset=", semi) >= 0) {
            return contentType;
        }
        if (bare.startsWith("multipart/") || !s.get(StaticModule.CHARSET_TYPES).matches(bare)) {
            return contentType;
        }
        String name = setting.name().render(ex);
        if (name.isEmpty() || name.equalsIgnoreCase("off")) {
            return contentType;
        }
        return contentType + "; charset=" + name;
    }

    /** True when text/html responses of this request are labelled UTF-8 (autoindex counts characters then). */
    static boolean htmlIsUtf8(Exchange ex) {
        String t = apply(ex, "text/html");
        return t.toLowerCase(Locale.ROOT).endsWith("charset=utf-8");
    }
}
