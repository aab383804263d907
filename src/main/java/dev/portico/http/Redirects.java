package dev.portico.http;

/**
 * Makes a redirect target absolute the way nginx does for {@code return}, {@code rewrite} and
 * directory redirects: {@code absolute_redirect}, {@code server_name_in_redirect} and
 * {@code port_in_redirect} decide the scheme, host and port put in front of a relative URI.
 */
public final class Redirects {
    private Redirects() {
    }

    public static String absolute(Exchange ex, String location) {
        if (!location.startsWith("/")) {
            return location;
        }
        var s = ex.settings();
        if (!s.get(HttpModule.ABSOLUTE_REDIRECT)) {
            return location;
        }
        boolean secure = ex.connection().isSecure();
        // nginx's header filter: the server's first name, else the Host the client sent, else
        // (no Host, as in HTTP/1.0) the address the connection came in on
        String host = s.get(HttpModule.SERVER_NAME_IN_REDIRECT) ? ex.server().primaryName() : ex.host();
        if (host.isEmpty()) {
            host = ex.connection().localHost();
        }
        if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        StringBuilder b = new StringBuilder(secure ? "https://" : "http://").append(host);
        int port = ex.connection().localPort();
        if (s.get(HttpModule.PORT_IN_REDIRECT) && port > 0 && port != (secure ? 443 : 80)) {
            b.append(':').append(port);
        }
        return b.append(location).toString();
    }
}
