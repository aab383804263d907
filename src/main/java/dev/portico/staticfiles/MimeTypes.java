package dev.portico.staticfiles;

import dev.portico.config.ConfNode;
import dev.portico.config.ConfigException;
import dev.portico.observability.ErrorLog;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A {@code types} table: file extension (lower case) to MIME type. A level with its own
 * {@code types} block replaces the inherited table as a whole, as nginx merges it; several blocks
 * in one level add up.
 */
final class MimeTypes {
    /** nginx's built-in table when no {@code types} block is in force. */
    static final MimeTypes DEFAULT = new MimeTypes();

    static {
        DEFAULT.byExtension.put("html", "text/html");
        DEFAULT.byExtension.put("gif", "image/gif");
        DEFAULT.byExtension.put("jpg", "image/jpeg");
    }

    private final Map<String, String> byExtension = new HashMap<>();

    /** Reads the "type ext ext;" lines of one {@code types} block into this table. */
    void read(ConfNode block) throws ConfigException {
        for (ConfNode line : block.children()) {
            if (line.isBlock()) {
                throw line.error("unexpected \"{\"");
            }
            String type = line.name();
            for (String ext : line.args()) {
                String key = ext.toLowerCase(Locale.ROOT);
                String old = byExtension.put(key, type);
                if (old != null) {
                    ErrorLog.warn("duplicate extension \"" + key + "\", content type: \"" + type
                        + "\", previous content type: \"" + old + "\" in " + line.file() + ":" + line.line());
                }
            }
        }
    }

    /** The type for an extension (matched case-insensitively), or null. */
    String lookup(String extension) {
        if (extension == null || extension.isEmpty()) {
            return null;
        }
        String t = byExtension.get(extension);
        if (t == null) {
            t = byExtension.get(extension.toLowerCase(Locale.ROOT));
        }
        return t;
    }

    int size() {
        return byExtension.size();
    }

    /**
     * nginx's $uri extension (ngx_http_set_exten): the text after the last dot of the last path
     * segment, unless that dot starts the segment ({@code /.htaccess} has none).
     */
    static String extension(String uri) {
        for (int i = uri.length() - 1; i > 1; i--) {
            char c = uri.charAt(i);
            if (c == '.' && uri.charAt(i - 1) != '/') {
                return uri.substring(i + 1);
            }
            if (c == '/') {
                return null;
            }
        }
        return null;
    }
}
