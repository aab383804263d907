package dev.portico.proxy;

import dev.portico.http.Exchange;
import dev.portico.http.Redirects;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Turns a backend's response head into the one the client gets, as nginx's upstream module
 * does: hop-by-hop and framing fields are dropped (Portico frames the body itself), hidden
 * fields ({@code Server}, {@code Date}, {@code X-Pad}, {@code X-Accel-*} and
 * {@code proxy_hide_header}, minus {@code proxy_pass_header}) are removed, {@code Location} and
 * {@code Refresh} go through {@code proxy_redirect}, {@code Set-Cookie} through
 * {@code proxy_cookie_domain}/{@code proxy_cookie_path}/{@code proxy_cookie_flags}. The status line's reason phrase is kept.
 * The head is edited in place; what was removed or rewritten is kept aside for
 * {@code $upstream_http_*}.
 */
final class ResponseHeadFilter {
    private static final AsciiString REFRESH = AsciiString.cached("Refresh");
    private static final HeaderNameSet FRAMING = new HeaderNameSet(List.of("Connection", "Keep-Alive", "Transfer-Encoding"));

    private ResponseHeadFilter() {
    }

    /**
     * Edits {@code upstream} into the client's head; returns the original fields that were
     * removed or changed (null when none), for {@code $upstream_http_*}.
     */
    static List<String[]> filter(Exchange ex, ProxyConf conf, HttpResponse upstream) {
        HttpHeaders h = upstream.headers();
        List<String[]> original = null;
        boolean redirects = !conf.redirects.isEmpty();
        boolean cookies = !conf.cookieDomains.isEmpty() || !conf.cookiePaths.isEmpty() || !conf.cookieFlags.isEmpty();
        List<CharSequence> drop = null;
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = h.iteratorCharSequence(); it.hasNext(); ) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            CharSequence name = e.getKey();
            if (FRAMING.contains(name) || conf.hide.contains(name)) {
                original = keep(original, e);
                if (drop == null) {
                    drop = new ArrayList<>(4);
                }
                drop.add(name);
                continue;
            }
            String rewritten = null;
            if (redirects && HttpHeaderNames.LOCATION.contentEqualsIgnoreCase(name)) {
                rewritten = location(ex, conf, e.getValue().toString());
            } else if (redirects && REFRESH.contentEqualsIgnoreCase(name)) {
                rewritten = refresh(ex, conf, e.getValue().toString());
            } else if (cookies && HttpHeaderNames.SET_COOKIE.contentEqualsIgnoreCase(name)) {
                rewritten = SetCookieEditor.edit(ex, conf, e.getValue().toString());
            }
            if (rewritten != null && !rewritten.contentEquals(e.getValue())) {
                original = keep(original, e);
                e.setValue(rewritten);
            }
        }
        if (drop != null) {
            for (CharSequence name : drop) {
                h.remove(name);
            }
        }
        return original;
    }

    private static List<String[]> keep(List<String[]> list, Map.Entry<CharSequence, CharSequence> e) {
        List<String[]> l = list == null ? new ArrayList<>(4) : list;
        l.add(new String[] {e.getKey().toString(), e.getValue().toString()});
        return l;
    }

    /** A rewritten relative redirect becomes absolute, as nginx's header filter does for its own Location. */
    private static String location(Exchange ex, ProxyConf conf, String v) {
        String r = rewrite(ex, conf.redirects, v);
        if (r == null) {
            return null;
        }
        return r.startsWith("/") ? Redirects.absolute(ex, r) : r;
    }

    private static String refresh(Exchange ex, ProxyConf conf, String v) {
        int at = indexOfIgnoreCase(v, "url=", 0);
        if (at < 0) {
            return null;
        }
        int start = at + 4;
        String r = rewrite(ex, conf.redirects, v.substring(start));
        return r == null ? null : v.substring(0, start) + r;
    }

    static String rewrite(Exchange ex, List<ValueRewrite> rules, String value) {
        for (ValueRewrite r : rules) {
            String v = r.apply(ex, value);
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    private static int indexOfIgnoreCase(String s, String what, int from) {
        for (int i = from; i + what.length() <= s.length(); i++) {
            if (s.regionMatches(true, i, what, 0, what.length())) {
                return i;
            }
        }
        return -1;
    }
}
