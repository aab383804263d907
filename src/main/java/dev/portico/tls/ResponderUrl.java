package dev.portico.tls;

/**
 * An OCSP responder's address as nginx takes it: {@code http://} only, a host (a name, an IPv4
 * address or a bracketed IPv6 one), an optional port (80 by default) and a path ({@code /} when
 * there is none).
 */
record ResponderUrl(String host, int port, String path) {
    /** Why a URL cannot be used, in nginx's words (the "ssl_stapling ignored" warning names it). */
    static final class Invalid extends Exception {
        Invalid(String message) {
            super(message);
        }
    }

    static ResponderUrl parse(String url) throws Invalid {
        if (url.length() <= 7 || !url.regionMatches(true, 0, "http://", 0, 7)) {
            throw new Invalid("invalid URL prefix in OCSP responder \"" + url + "\"");
        }
        String rest = url.substring(7);
        int slash = rest.indexOf('/');
        String authority = slash < 0 ? rest : rest.substring(0, slash);
        String path = slash < 0 ? "/" : rest.substring(slash);
        String host = authority;
        String port = null;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0) {
                throw new Invalid("invalid host in OCSP responder \"" + rest + "\"");
            }
            host = authority.substring(0, close + 1);
            if (close + 1 < authority.length()) {
                if (authority.charAt(close + 1) != ':') {
                    throw new Invalid("invalid host in OCSP responder \"" + rest + "\"");
                }
                port = authority.substring(close + 2);
            }
        } else {
            int colon = authority.indexOf(':');
            if (colon >= 0) {
                host = authority.substring(0, colon);
                port = authority.substring(colon + 1);
            }
        }
        if (host.isEmpty()) {
            throw new Invalid("no host in OCSP responder \"" + rest + "\"");
        }
        int n = 80;
        if (port != null) {
            try {
                n = Integer.parseInt(port);
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n < 1 || n > 65535) {
                throw new Invalid("invalid port in OCSP responder \"" + rest + "\"");
            }
        }
        return new ResponderUrl(host, n, path);
    }

    /** The host as a resolver takes it: without an IPv6 address's brackets. */
    String lookupName() {
        return host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    }
}
