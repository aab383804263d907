package dev.portico.proxy;

import dev.portico.upstream.ServerAddress;

/**
 * A {@code proxy_pass} URL taken apart (nginx's {@code ngx_parse_url} with a URI part): scheme,
 * address, the URI part ("" when none), and the {@code $proxy_host}/{@code $proxy_port} values.
 */
record ProxyTarget(boolean https, ServerAddress address, String uriPart, String hostHeader, String port, String url) {

    /** Why a URL cannot be used, worded as nginx's configuration or error-log messages. */
    static final class Invalid extends Exception {
        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    /** Parses "http://host[:port][/uri]", "https://...", "http://unix:/path:[/uri]". */
    static ProxyTarget parse(String url) throws Invalid {
        boolean https;
        int add;
        if (url.regionMatches(true, 0, "http://", 0, 7)) {
            https = false;
            add = 7;
        } else if (url.regionMatches(true, 0, "https://", 0, 8)) {
            https = true;
            add = 8;
        } else {
            throw new Invalid("invalid URL prefix");
        }
        String rest = url.substring(add);
        String authority;
        String uri;
        if (rest.regionMatches(true, 0, "unix:", 0, 5)) {
            int colon = rest.indexOf(':', 5);
            authority = colon < 0 ? rest : rest.substring(0, colon);
            uri = colon < 0 ? "" : rest.substring(colon + 1);
        } else {
            int slash = rest.indexOf('/');
            int q = rest.indexOf('?');
            int end = slash < 0 ? q : q < 0 ? slash : Math.min(slash, q);
            authority = end < 0 ? rest : rest.substring(0, end);
            uri = end < 0 ? "" : rest.substring(end);
        }
        if (uri.startsWith("?")) {
            uri = "/" + uri;
        }
        int defaultPort = https ? 443 : 80;
        ServerAddress address;
        try {
            address = ServerAddress.parse(authority, defaultPort);
        } catch (ServerAddress.Invalid e) {
            throw new Invalid(e.getMessage() + " in upstream \"" + rest + "\"");
        }
        String hostHeader;
        String port;
        if (address.isUnix()) {
            hostHeader = "localhost";
            port = "";
        } else if (!address.explicitPort() || address.port() == defaultPort) {
            hostHeader = address.host().indexOf(':') >= 0 ? "[" + address.host() + "]" : address.host();
            port = Integer.toString(defaultPort);
        } else {
            hostHeader = authority;
            port = address.portText();
        }
        return new ProxyTarget(https, address, uri, hostHeader, port, url);
    }

    String scheme() {
        return https ? "https://" : "http://";
    }
}
