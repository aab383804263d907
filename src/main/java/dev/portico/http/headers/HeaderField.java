package dev.portico.http.headers;

import dev.portico.variables.Template;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.Locale;

/**
 * One {@code add_header} or {@code add_trailer}. As in nginx, Last-Modified and ETag replace the
 * field already in the response (an empty value removes it); any other name adds a field, and
 * an empty value adds nothing.
 */
record HeaderField(String name, Template value, boolean always, boolean replaces) {

    static HeaderField of(String name, Template value, boolean always, boolean header) {
        String n = name.toLowerCase(Locale.ROOT);
        return new HeaderField(name, value, always, header && (n.equals("last-modified") || n.equals("etag")));
    }

    /** The value for this response, with NUL, CR and LF made spaces as nginx does. */
    String render(dev.portico.http.Exchange ex) {
        String v = value.render(ex);
        if (v.indexOf('\r') < 0 && v.indexOf('\n') < 0 && v.indexOf('\0') < 0) {
            return v;
        }
        return v.replace('\r', ' ').replace('\n', ' ').replace('\0', ' ');
    }

    void apply(HttpHeaders headers, String v) {
        if (replaces) {
            if (v.isEmpty()) {
                headers.remove(name);
            } else {
                headers.set(name, v);
            }
        } else if (!v.isEmpty()) {
            headers.add(name, v);
        }
    }
}
