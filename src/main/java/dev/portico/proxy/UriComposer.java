package dev.portico.proxy;

import dev.portico.http.Exchange;
import dev.portico.http.UriEscape;

/**
 * The request URI sent to the backend, by nginx's rules for {@code proxy_pass}:
 * <ul>
 * <li>a URL with variables and a URI part: that URI, as is, replacing the request's;</li>
 * <li>no URI part and the URI unchanged: the request target exactly as the client sent it,
 *     byte for byte (nginx's unparsed URI; bytes above 0x7F are not escaped);</li>
 * <li>otherwise the normalised (possibly rewritten) URI, re-escaped, where a URI part replaces
 *     the part matching the location prefix (unless {@code rewrite ... break} changed the URI,
 *     then the full changed URI is passed), plus the arguments as they are.</li>
 * </ul>
 */
final class UriComposer {
    private UriComposer() {
    }

    /**
     * @param uriPart the URI part of the (evaluated) proxy_pass URL, "" when none
     * @param fromVariables true when proxy_pass has variables
     */
    static String compose(Exchange ex, String uriPart, boolean fromVariables, String locationName) {
        if (fromVariables && !uriPart.isEmpty()) {
            return uriPart;
        }
        if (uriPart.isEmpty() && ex.uriChanges() == 0) {
            return unparsed(ex.requestUri());
        }
        boolean valid = ex.locationValid();
        String uri = ex.uri();
        int locLen = valid && !uriPart.isEmpty() && uri.startsWith(locationName) ? locationName.length() : 0;
        String args = ex.args();
        StringBuilder b = new StringBuilder(uriPart.length() + uri.length() + (args == null ? 0 : args.length() + 1));
        if (valid) {
            b.append(uriPart);
        }
        b.append(UriEscape.escape(uri.substring(locLen), UriEscape.Mode.URI));
        if (args != null && !args.isEmpty()) {
            b.append('?').append(args);
        }
        return b.toString();
    }

    /** The path and query of the request target (absolute-form targets lose their scheme and host). */
    static String unparsed(String target) {
        String t = target;
        if (!t.startsWith("/") && !t.equals("*")) {
            int start = t.indexOf("//");
            int slash = start < 0 ? -1 : t.indexOf('/', start + 2);
            int q = start < 0 ? -1 : t.indexOf('?', start + 2);
            int from = slash < 0 ? q : q < 0 ? slash : Math.min(slash, q);
            t = from < 0 ? "/" : t.charAt(from) == '?' ? "/" + t.substring(from) : t.substring(from);
        }
        return t;
    }
}
