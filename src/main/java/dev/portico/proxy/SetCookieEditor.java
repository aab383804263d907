package dev.portico.proxy;

import dev.portico.http.Exchange;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code proxy_cookie_domain}, {@code proxy_cookie_path} and {@code proxy_cookie_flags} applied to
 * one Set-Cookie value as ngx_http_proxy_rewrite_cookie does: the value is split at ";" into
 * attributes (spaces around names and values trimmed), a cookie without "=" is left alone, and
 * when a rule applied the value is written anew from the attributes, joined with "; ".
 */
final class SetCookieEditor {
    /** An attribute; a null value is one without "=" (Secure), a null name one that was removed. */
    private static final class Attr {
        String name;
        String value;

        Attr(String name, String value) {
            this.name = name;
            this.value = value;
        }
    }

    private SetCookieEditor() {
    }

    /** The edited value, or null when no rule applied. */
    static String edit(Exchange ex, ProxyConf conf, String v) {
        List<Attr> attrs = parse(v);
        if (attrs.get(0).value == null) {
            return null;
        }
        boolean changed = false;
        for (int i = 1; i < attrs.size(); i++) {
            Attr a = attrs.get(i);
            List<ValueRewrite> rules = a.name.equalsIgnoreCase("domain") ? conf.cookieDomains
                : a.name.equalsIgnoreCase("path") ? conf.cookiePaths : List.of();
            if (a.value != null && !rules.isEmpty()) {
                String r = ResponseHeadFilter.rewrite(ex, rules, a.value);
                if (r != null) {
                    a.value = r;
                    changed = true;
                }
            }
        }
        if (!conf.cookieFlags.isEmpty()) {
            changed |= flags(ex, conf.cookieFlags, attrs);
        }
        return changed ? join(attrs) : null;
    }

    private static List<Attr> parse(String v) {
        List<Attr> attrs = new ArrayList<>(4);
        int start = 0;
        while (true) {
            int last = v.indexOf(';', start);
            if (last < 0) {
                last = v.length();
            }
            int eq = v.indexOf('=', start);
            if (eq < 0 || eq > last) {
                attrs.add(new Attr(trim(v, start, last), null));
            } else {
                attrs.add(new Attr(trim(v, start, eq), trim(v, eq + 1, last)));
            }
            if (last == v.length()) {
                return attrs;
            }
            start = last + 1;
        }
    }

    /** The text between, without the spaces (not tabs) at either end, as nginx trims. */
    private static String trim(String v, int from, int to) {
        while (from < to && v.charAt(from) == ' ') {
            from++;
        }
        while (to > from && v.charAt(to - 1) == ' ') {
            to--;
        }
        return v.substring(from, to);
    }

    /** The first rule naming the cookie sets its flags; true when one applied. */
    private static boolean flags(Exchange ex, List<CookieFlagRule> rules, List<Attr> attrs) {
        String cookie = attrs.get(0).name;
        for (CookieFlagRule r : rules) {
            if (r.matches(ex, cookie)) {
                int f = r.mask(ex);
                if (f == 0) {
                    return false;
                }
                apply(attrs, f);
                return true;
            }
        }
        return false;
    }

    /** ngx_http_proxy_edit_cookie_flags: existing flags are kept, changed or removed, missing ones appended. */
    private static void apply(List<Attr> attrs, int f) {
        for (int i = 1; i < attrs.size(); i++) {
            Attr a = attrs.get(i);
            if (a.name == null) {
                continue;
            }
            if (a.name.equalsIgnoreCase("secure")) {
                if ((f & CookieFlagRule.SECURE) != 0) {
                    f &= ~CookieFlagRule.SECURE;
                } else if ((f & CookieFlagRule.NO_SECURE) != 0) {
                    a.name = null;
                }
            } else if (a.name.equalsIgnoreCase("httponly")) {
                if ((f & CookieFlagRule.HTTP_ONLY) != 0) {
                    f &= ~CookieFlagRule.HTTP_ONLY;
                } else if ((f & CookieFlagRule.NO_HTTP_ONLY) != 0) {
                    a.name = null;
                }
            } else if (a.name.equalsIgnoreCase("samesite")) {
                int want = (f & CookieFlagRule.STRICT) != 0 ? CookieFlagRule.STRICT : (f & CookieFlagRule.LAX) != 0
                    ? CookieFlagRule.LAX : (f & CookieFlagRule.NONE);
                if (want != 0) {
                    f &= ~want;
                    if (!sameSite(want).equalsIgnoreCase(a.value)) {
                        a.name = "SameSite";
                        a.value = sameSite(want);
                    }
                } else if ((f & CookieFlagRule.NO_SAME_SITE) != 0) {
                    a.name = null;
                }
            }
        }
        if ((f & CookieFlagRule.SECURE) != 0) {
            attrs.add(new Attr("Secure", null));
        }
        if ((f & CookieFlagRule.HTTP_ONLY) != 0) {
            attrs.add(new Attr("HttpOnly", null));
        }
        String want = sameSite(f);
        if (want != null) {
            attrs.add(new Attr("SameSite", want));
        }
    }

    /** The SameSite value the flags ask for, strict before lax before none, as nginx tests them. */
    private static String sameSite(int f) {
        return (f & CookieFlagRule.STRICT) != 0 ? "Strict" : (f & CookieFlagRule.LAX) != 0 ? "Lax"
            : (f & CookieFlagRule.NONE) != 0 ? "None" : null;
    }

    private static String join(List<Attr> attrs) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < attrs.size(); i++) {
            Attr a = attrs.get(i);
            if (a.name == null) {
                continue;
            }
            if (i > 0) {
                b.append("; ");
            }
            b.append(a.name);
            if (a.value != null) {
                b.append('=').append(a.value);
            }
        }
        return b.toString();
    }
}
