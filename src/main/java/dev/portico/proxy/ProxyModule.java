package dev.portico.proxy;

import static dev.portico.config.directive.Context.HTTP_SRV_LOC;

import dev.portico.config.ConfNode;
import dev.portico.config.ConfigException;
import dev.portico.config.directive.Arity;
import dev.portico.config.directive.Context;
import dev.portico.config.directive.Directive;
import dev.portico.config.directive.Level;
import dev.portico.config.directive.Slot;
import dev.portico.config.directive.Values;
import dev.portico.core.BuildContext;
import dev.portico.http.HttpModule;
import dev.portico.http.Location;
import dev.portico.http.LocationBuilder;
import dev.portico.http.PipelineModule;
import dev.portico.http.RegexSupport;
import dev.portico.http.RequestPipeline;
import dev.portico.http.TempPath;
import dev.portico.tls.CertificateCacheSpec;
import dev.portico.tls.TlsModule;
import dev.portico.variables.SizeValue;
import dev.portico.variables.Template;
import dev.portico.variables.Variables;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * ngx_http_proxy_module: {@code proxy_pass} and the directives that shape the request to the
 * backend and its response. Values are typed slots merged http -> server -> location; a location
 * with {@code proxy_pass} compiles them into a {@link ProxyConf} once, when the snapshot is built.
 */
public final class ProxyModule implements PipelineModule {
    public ProxyModule() {
    }

    @Override
    public void contribute(RequestPipeline.Builder pipeline) {
        ProxyVariables.register(pipeline.variables());
    }

    /** One {@code proxy_set_header field value}. */
    record HeaderSetting(String name, Template value) {
    }

    /** The {@code proxy_pass} of a location as written (not inherited). */
    static final Slot<ProxyPassSpec> PROXY_PASS = Slot.local("proxy_pass", null);

    static final Slot<List<HeaderSetting>> SET_HEADERS = Slot.of("proxy_set_header", null);
    static final Slot<List<String>> HIDE_HEADERS = Slot.of("proxy_hide_header", null);
    static final Slot<List<String>> PASS_HEADERS = Slot.of("proxy_pass_header", null);
    static final Slot<List<String>> IGNORE_HEADERS = Slot.of("proxy_ignore_headers", null);
    static final Slot<Template> SET_BODY = Slot.of("proxy_set_body", null);
    static final Slot<Template> METHOD = Slot.of("proxy_method", null);
    static final Slot<Boolean> PASS_REQUEST_HEADERS = Slot.of("proxy_pass_request_headers", true);
    static final Slot<Boolean> PASS_REQUEST_BODY = Slot.of("proxy_pass_request_body", true);
    static final Slot<Boolean> REQUEST_BUFFERING = Slot.of("proxy_request_buffering", true);
    static final Slot<Boolean> BUFFERING = Slot.of("proxy_buffering", true);
    static final Slot<Boolean> INTERCEPT_ERRORS = Slot.of("proxy_intercept_errors", false);
    static final Slot<Boolean> PASS_TRAILERS = Slot.of("proxy_pass_trailers", false);
    static final Slot<LocalBind> BIND = Slot.of("proxy_bind", LocalBind.OFF);
    static final Slot<Boolean> IGNORE_CLIENT_ABORT = Slot.of("proxy_ignore_client_abort", false);
    static final Slot<Boolean> SOCKET_KEEPALIVE = Slot.of("proxy_socket_keepalive", false);
    /** True for HTTP/1.1 (nginx 1.29.7+ default), false for 1.0. */
    static final Slot<Boolean> HTTP11 = Slot.of("proxy_http_version", true);
    static final Slot<Integer> NEXT_UPSTREAM = Slot.of("proxy_next_upstream", NextUpstream.DEFAULT);
    static final Slot<Integer> NEXT_UPSTREAM_TRIES = Slot.of("proxy_next_upstream_tries", 0);
    static final Slot<Long> NEXT_UPSTREAM_TIMEOUT = Slot.of("proxy_next_upstream_timeout", 0L);
    static final Slot<Long> CONNECT_TIMEOUT = Slot.of("proxy_connect_timeout", 60_000L);
    static final Slot<Long> SEND_TIMEOUT = Slot.of("proxy_send_timeout", 60_000L);
    static final Slot<Long> READ_TIMEOUT = Slot.of("proxy_read_timeout", 60_000L);
    /** One memory page, as nginx's default. */
    static final Slot<Long> BUFFER_SIZE = Slot.of("proxy_buffer_size", 4096L);
    static final Slot<long[]> BUFFERS = Slot.of("proxy_buffers", new long[] {8, 4096});
    static final Slot<Long> BUSY_BUFFERS_SIZE = Slot.of("proxy_busy_buffers_size", null);
    static final Slot<Long> MAX_TEMP_FILE_SIZE = Slot.of("proxy_max_temp_file_size", null);
    static final Slot<Long> TEMP_FILE_WRITE_SIZE = Slot.of("proxy_temp_file_write_size", null);
    static final Slot<TempPath> TEMP_PATH = Slot.of("proxy_temp_path", TempPath.of("proxy_temp"));
    /** {@code proxy_limit_rate}: bytes per second read from the backend per request (0: no limit). */
    static final Slot<SizeValue> LIMIT_RATE = Slot.of("proxy_limit_rate", SizeValue.ZERO);

    /** TLS to backends (ngx_http_proxy_module's proxy_ssl_*), compiled by {@link UpstreamTls}. */
    static final Slot<Boolean> SSL_SERVER_NAME = Slot.of("proxy_ssl_server_name", false);
    static final Slot<Template> SSL_NAME = Slot.of("proxy_ssl_name", null);
    static final Slot<Boolean> SSL_VERIFY = Slot.of("proxy_ssl_verify", false);
    static final Slot<String> SSL_TRUSTED_CERTIFICATE = Slot.of("proxy_ssl_trusted_certificate", null);
    static final Slot<Integer> SSL_VERIFY_DEPTH = Slot.of("proxy_ssl_verify_depth", 1);
    static final Slot<String> SSL_CRL = Slot.of("proxy_ssl_crl", null);
    static final Slot<List<String>> SSL_PROTOCOLS = Slot.of("proxy_ssl_protocols", List.of("TLSv1.2", "TLSv1.3"));
    static final Slot<String> SSL_CIPHERS = Slot.of("proxy_ssl_ciphers", "DEFAULT");
    /** Client certificate and key: constant, or named with variables and read per connection (nginx 1.21.0+). */
    static final Slot<Template> SSL_CERTIFICATE = Slot.of("proxy_ssl_certificate", null);
    static final Slot<Template> SSL_CERTIFICATE_KEY = Slot.of("proxy_ssl_certificate_key", null);
    static final Slot<CertificateCacheSpec> SSL_CERTIFICATE_CACHE = Slot.of("proxy_ssl_certificate_cache", CertificateCacheSpec.OFF);
    static final Slot<String> SSL_PASSWORD_FILE = Slot.of("proxy_ssl_password_file", null);
    static final Slot<Boolean> SSL_SESSION_REUSE = Slot.of("proxy_ssl_session_reuse", true);
    private static final List<String> SSL_PROTOCOL_NAMES = List.of("SSLv2", "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3");

    /** {@code proxy_redirect}: off turns the default rule off for this level and below. */
    static final Slot<Boolean> REDIRECT_ON = Slot.of("proxy_redirect_on", true);
    static final Slot<List<ValueRewrite>> REDIRECTS = Slot.of("proxy_redirect", null);
    static final Slot<List<ValueRewrite>> COOKIE_DOMAINS = Slot.of("proxy_cookie_domain", null);
    static final Slot<List<ValueRewrite>> COOKIE_PATHS = Slot.of("proxy_cookie_path", null);
    /** Set where "off" stood: later rules at the same level are ignored, as in nginx. */
    static final Slot<Boolean> REDIRECT_OFF_HERE = Slot.local("proxy_redirect_off", null);
    static final Slot<Boolean> COOKIE_DOMAIN_OFF_HERE = Slot.local("proxy_cookie_domain_off", null);
    static final Slot<Boolean> COOKIE_PATH_OFF_HERE = Slot.local("proxy_cookie_path_off", null);
    /** {@code proxy_cookie_flags}: an empty list is "off". */
    static final Slot<List<CookieFlagRule>> COOKIE_FLAGS = Slot.of("proxy_cookie_flags", null);

    static final Set<String> IGNORABLE = Set.of("x-accel-redirect", "x-accel-expires", "x-accel-limit-rate",
        "x-accel-buffering", "x-accel-charset", "expires", "cache-control", "set-cookie", "vary");

    /** The parsed {@code proxy_pass} plus where it stands. */
    record ProxyPassSpec(ProxyTarget target, Template dynamic, String locationName, ConfNode node) {
    }

    /**
     * The {@code upstream} block a location's {@code proxy_pass} names (for {@code health_check}),
     * or null when it has none or builds its URL from variables.
     */
    public static String upstreamOf(dev.portico.config.directive.Level location) {
        ProxyPassSpec pp = location.getOwn(PROXY_PASS);
        if (pp == null || pp.target() == null || pp.target().address().isUnix()) {
            return null;
        }
        return pp.target().address().host();
    }

    /** How a health check probe secures its connection to a location's backends. */
    @FunctionalInterface
    public interface ProbeTls {
        java.net.Socket secure(java.net.Socket plain) throws java.io.IOException;
    }

    /**
     * For {@code health_check}: the location's {@code proxy_pass https://} settings (trust, client
     * certificate, SNI and name check of its {@code proxy_ssl_*} directives) as a probe uses them,
     * or null when the location proxies plain HTTP. A name built from variables is checked as the
     * upstream group's name, the only one a probe has.
     */
    public static ProbeTls probeTls(dev.portico.config.directive.Level location, dev.portico.core.BuildContext build)
        throws ConfigException {
        ProxyPassSpec pp = location.getOwn(PROXY_PASS);
        if (pp == null || pp.target() == null || !pp.target().https()) {
            return null;
        }
        UpstreamTls tls = UpstreamTls.compile(location.resolve(), build);
        if (tls.certificates != null) {
            // a probe has no request to name the files with
            throw new ConfigException("a health check cannot present a client certificate named with variables"
                + " (\"proxy_ssl_certificate\")");
        }
        String host = UpstreamTls.hostOf(pp.target());
        String name = tls.constantName() ? tls.name(null, host) : UpstreamTls.withoutPort(host);
        String sni = tls.sni(name);
        String verified = tls.verifiedName(name);
        return plain -> tls.context.secure(plain, sni, verified);
    }

    @Override
    public List<Directive> directives() {
        Set<Context> loc = EnumSet.of(Context.LOCATION, Context.IF_IN_LOCATION, Context.LIMIT_EXCEPT);
        return List.of(
            Directive.simple("proxy_pass", loc, Arity.TAKE1, ProxyModule::proxyPass),
            Directive.simple("proxy_redirect", HTTP_SRV_LOC, Arity.TAKE12, ProxyModule::proxyRedirect),
            Directive.simple("proxy_cookie_domain", HTTP_SRV_LOC, Arity.TAKE12,
                (level, node) -> cookieRule(level, node, COOKIE_DOMAINS, COOKIE_DOMAIN_OFF_HERE, true)),
            Directive.simple("proxy_cookie_path", HTTP_SRV_LOC, Arity.TAKE12,
                (level, node) -> cookieRule(level, node, COOKIE_PATHS, COOKIE_PATH_OFF_HERE, false)),
            Directive.simple("proxy_cookie_flags", HTTP_SRV_LOC, Arity.TAKE1234, ProxyModule::cookieFlags),
            Directive.simple("proxy_bind", HTTP_SRV_LOC, Arity.TAKE12, ProxyModule::bind),
            Directive.simple("proxy_set_header", HTTP_SRV_LOC, Arity.TAKE2, (level, node) -> {
                if (!isToken(node.arg(0))) {
                    throw node.error("invalid header name \"" + node.arg(0) + "\"");
                }
                level.add(SET_HEADERS, new HeaderSetting(node.arg(0), compile(level, node, node.arg(1))));
            }),
            Directive.simple("proxy_hide_header", HTTP_SRV_LOC, Arity.TAKE1, (level, node) -> level.add(HIDE_HEADERS, node.arg(0))),
            Directive.simple("proxy_pass_header", HTTP_SRV_LOC, Arity.TAKE1, (level, node) -> level.add(PASS_HEADERS, node.arg(0))),
            Directive.simple("proxy_ignore_headers", HTTP_SRV_LOC, Arity.ONE_OR_MORE, (level, node) -> {
                for (String h : node.args()) {
                    if (!IGNORABLE.contains(h.toLowerCase())) {
                        throw node.error("invalid value \"" + h + "\"");
                    }
                    level.add(IGNORE_HEADERS, h.toLowerCase());
                }
            }),
            Directive.simple("proxy_set_body", HTTP_SRV_LOC, Arity.TAKE1,
                (level, node) -> level.set(SET_BODY, compile(level, node, node.arg(0)), node)),
            Directive.simple("proxy_method", HTTP_SRV_LOC, Arity.TAKE1,
                (level, node) -> level.set(METHOD, compile(level, node, node.arg(0)), node)),
            Directive.flag("proxy_pass_request_headers", HTTP_SRV_LOC, PASS_REQUEST_HEADERS),
            Directive.flag("proxy_pass_request_body", HTTP_SRV_LOC, PASS_REQUEST_BODY),
            Directive.flag("proxy_request_buffering", HTTP_SRV_LOC, REQUEST_BUFFERING),
            Directive.flag("proxy_buffering", HTTP_SRV_LOC, BUFFERING),
            Directive.flag("proxy_intercept_errors", HTTP_SRV_LOC, INTERCEPT_ERRORS),
            Directive.flag("proxy_pass_trailers", HTTP_SRV_LOC, PASS_TRAILERS),
            Directive.flag("proxy_ignore_client_abort", HTTP_SRV_LOC, IGNORE_CLIENT_ABORT),
            Directive.flag("proxy_socket_keepalive", HTTP_SRV_LOC, SOCKET_KEEPALIVE),
            Directive.simple("proxy_http_version", HTTP_SRV_LOC, Arity.TAKE1, (level, node) -> {
                String v = node.arg(0);
                if (!v.equals("1.0") && !v.equals("1.1")) {
                    throw node.error("invalid value \"" + v + "\"");
                }
                level.set(HTTP11, v.equals("1.1"), node);
            }),
            Directive.simple("proxy_next_upstream", HTTP_SRV_LOC, Arity.ONE_OR_MORE,
                (level, node) -> level.set(NEXT_UPSTREAM, NextUpstream.parse(node), node)),
            Directive.value("proxy_next_upstream_tries", HTTP_SRV_LOC, NEXT_UPSTREAM_TRIES, Values::number),
            Directive.value("proxy_next_upstream_timeout", HTTP_SRV_LOC, NEXT_UPSTREAM_TIMEOUT, Values::timeMillis),
            Directive.value("proxy_connect_timeout", HTTP_SRV_LOC, CONNECT_TIMEOUT, Values::timeMillis),
            Directive.value("proxy_send_timeout", HTTP_SRV_LOC, SEND_TIMEOUT, Values::timeMillis),
            Directive.value("proxy_read_timeout", HTTP_SRV_LOC, READ_TIMEOUT, Values::timeMillis),
            Directive.value("proxy_buffer_size", HTTP_SRV_LOC, BUFFER_SIZE, Values::size),
            Directive.simple("proxy_buffers", HTTP_SRV_LOC, Arity.TAKE2, (level, node) -> {
                long n = Values.parseSize(node.arg(0));
                long size = Values.parseSize(node.arg(1));
                if (!node.arg(0).chars().allMatch(Character::isDigit) || n <= 0 || size <= 0) {
                    throw node.error("\"proxy_buffers\" directive invalid value");
                }
                level.set(BUFFERS, new long[] {n, size}, node);
            }),
            Directive.value("proxy_busy_buffers_size", HTTP_SRV_LOC, BUSY_BUFFERS_SIZE, Values::size),
            Directive.value("proxy_max_temp_file_size", HTTP_SRV_LOC, MAX_TEMP_FILE_SIZE, Values::size),
            Directive.value("proxy_temp_file_write_size", HTTP_SRV_LOC, TEMP_FILE_WRITE_SIZE, Values::size),
            Directive.simple("proxy_temp_path", HTTP_SRV_LOC, Arity.TAKE1234,
                (level, node) -> level.set(TEMP_PATH, TempPath.parse(node), node)),
            Directive.simple("proxy_limit_rate", HTTP_SRV_LOC, Arity.TAKE1, (level, node) -> level.set(LIMIT_RATE,
                SizeValue.parse(node, node.arg(0), Variables.of(level.nearest(BuildContext.class))), node)),
            Directive.flag("proxy_ssl_server_name", HTTP_SRV_LOC, SSL_SERVER_NAME),
            Directive.simple("proxy_ssl_name", HTTP_SRV_LOC, Arity.TAKE1,
                (level, node) -> level.set(SSL_NAME, compile(level, node, node.arg(0)), node)),
            Directive.flag("proxy_ssl_verify", HTTP_SRV_LOC, SSL_VERIFY),
            Directive.simple("proxy_ssl_trusted_certificate", HTTP_SRV_LOC, Arity.TAKE1,
                (level, node) -> level.set(SSL_TRUSTED_CERTIFICATE, node.arg(0), node)),
            Directive.value("proxy_ssl_verify_depth", HTTP_SRV_LOC, SSL_VERIFY_DEPTH, Values::number),
            Directive.simple("proxy_ssl_crl", HTTP_SRV_LOC, Arity.TAKE1, (level, node) -> level.set(SSL_CRL, node.arg(0), node)),
            Directive.simple("proxy_ssl_protocols", HTTP_SRV_LOC, Arity.ONE_OR_MORE, (level, node) -> {
                for (String p : node.args()) {
                    if (!SSL_PROTOCOL_NAMES.contains(p)) {
                        throw node.error("invalid value \"" + p + "\"");
                    }
                }
                level.set(SSL_PROTOCOLS, List.copyOf(node.args()), node);
            }),
            Directive.simple("proxy_ssl_ciphers", HTTP_SRV_LOC, Arity.TAKE1, (level, node) -> level.set(SSL_CIPHERS, node.arg(0), node)),
            Directive.simple("proxy_ssl_certificate", HTTP_SRV_LOC, Arity.TAKE1,
                (level, node) -> level.set(SSL_CERTIFICATE, certificateFile(level, node), node)),
            Directive.simple("proxy_ssl_certificate_key", HTTP_SRV_LOC, Arity.TAKE1, (level, node) -> {
                if (node.arg(0).startsWith("engine:")) {
                    throw node.error("loading \"engine:...\" certificate keys is not supported");
                }
                level.set(SSL_CERTIFICATE_KEY, certificateFile(level, node), node);
            }),
            Directive.simple("proxy_ssl_certificate_cache", HTTP_SRV_LOC, Arity.TAKE123,
                (level, node) -> level.set(SSL_CERTIFICATE_CACHE, CertificateCacheSpec.parse(node), node)),
            Directive.simple("proxy_ssl_password_file", HTTP_SRV_LOC, Arity.TAKE1,
                (level, node) -> level.set(SSL_PASSWORD_FILE, node.arg(0), node)),
            Directive.flag("proxy_ssl_session_reuse", HTTP_SRV_LOC, SSL_SESSION_REUSE),
            TlsModule.confCommand("proxy_ssl_conf_command", HTTP_SRV_LOC),
            // accepted: Portico's header lookups need no hash tuning
            Directive.simple("proxy_headers_hash_max_size", HTTP_SRV_LOC, Arity.TAKE1,
                (level, node) -> Values.number(node, node.arg(0))),
            Directive.simple("proxy_headers_hash_bucket_size", HTTP_SRV_LOC, Arity.TAKE1,
                (level, node) -> Values.number(node, node.arg(0))));
    }

    /** A client certificate or key: a file name, which may hold variables, or a {@code data:} value taken as it is. */
    private static Template certificateFile(Level level, ConfNode node) throws ConfigException {
        String v = node.arg(0);
        return v.startsWith("data:") ? Template.literal(v) : compile(level, node, v);
    }

    /** RFC 9110 token characters: a field name Portico can put on the wire. */
    static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = c > 0x20 && c < 0x7f && "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static Template compile(Level level, ConfNode node, String text) throws ConfigException {
        try {
            return Template.compile(text, Variables.of(level.nearest(BuildContext.class)));
        } catch (ConfigException e) {
            throw e.at(node);
        }
    }

    private static void proxyPass(Level level, ConfNode node) throws ConfigException {
        if (level.getOwn(PROXY_PASS) != null) {
            throw node.error("\"proxy_pass\" directive is duplicate");
        }
        String url = node.arg(0);
        Template t = compile(level, node, url);
        LocationBuilder lb = level.owner() instanceof LocationBuilder b ? b : null;
        boolean noUriAllowed = level.context() != Context.LOCATION || lb == null
            || lb.kind() == Location.Kind.REGEX || lb.kind() == Location.Kind.NAMED || lb.kind() == Location.Kind.IF;
        ProxyPassSpec spec;
        if (!t.isConstant()) {
            spec = new ProxyPassSpec(null, t, "", node);
        } else {
            ProxyTarget target;
            try {
                target = ProxyTarget.parse(url);
            } catch (ProxyTarget.Invalid e) {
                throw node.error(e.getMessage());
            }
            if (noUriAllowed && !target.uriPart().isEmpty()) {
                throw node.error("\"proxy_pass\" cannot have URI part in location given by regular expression, "
                    + "or inside named location, or inside \"if\" statement, or inside \"limit_except\" block");
            }
            spec = new ProxyPassSpec(target, null, noUriAllowed ? "" : lb.name(), node);
        }
        level.put(PROXY_PASS, spec);
        ProxyPassSpec s = spec;
        level.set(HttpModule.CONTENT, (settings, build) -> new ProxyHandler(ProxyConf.compile(s, settings, build)), node);
        if (lb != null) {
            // nginx's auto_redirect for a location whose name ends in "/" (no effect on regex, named, if)
            lb.requestAutoRedirect();
        }
    }

    private static void proxyRedirect(Level level, ConfNode node) throws ConfigException {
        if (Boolean.TRUE.equals(level.getOwn(REDIRECT_OFF_HERE))) {
            return;
        }
        String first = node.arg(0);
        if (node.argCount() == 1) {
            if (first.equals("off")) {
                level.put(REDIRECT_OFF_HERE, true);
                level.put(REDIRECT_ON, false);
                level.put(REDIRECTS, new ArrayList<>());
                return;
            }
            if (first.equals("false")) {
                level.put(REDIRECT_OFF_HERE, true);
                level.put(REDIRECT_ON, false);
                level.put(REDIRECTS, new ArrayList<>());
                return;
            }
            if (!first.equals("default")) {
                throw node.error("invalid parameter \"" + first + "\"");
            }
        }
        level.put(REDIRECT_ON, true);
        if (first.equals("default") && node.argCount() == 1) {
            ProxyPassSpec pp = level.getOwn(PROXY_PASS);
            if (pp != null && pp.dynamic() != null) {
                throw node.error("\"proxy_redirect default\" cannot be used with \"proxy_pass\" directive with variables");
            }
            if (pp == null) {
                throw node.error("\"proxy_redirect default\" should be placed after the \"proxy_pass\" directive");
            }
            level.add(REDIRECTS, defaultRedirect(pp));
            return;
        }
        if (node.argCount() != 2) {
            throw node.error("invalid number of arguments in \"proxy_redirect\" directive");
        }
        Template replacement = compile(level, node, node.arg(1));
        if (first.startsWith("~")) {
            boolean caseless = first.startsWith("~*");
            level.add(REDIRECTS, new ValueRewrite.Regex(regex(node, first.substring(caseless ? 2 : 1), caseless), replacement));
        } else {
            level.add(REDIRECTS, new ValueRewrite.Prefix(compile(level, node, first), replacement));
        }
    }

    /**
     * nginx's implicit rule: with a URI part, the proxy_pass URL is replaced by the location
     * name; without one, the URL plus "/" is replaced by "/".
     */
    static ValueRewrite defaultRedirect(ProxyPassSpec pp) {
        ProxyTarget t = pp.target();
        if (!t.uriPart().isEmpty()) {
            return new ValueRewrite.Prefix(Template.literal(t.url()), Template.literal(pp.locationName()));
        }
        return new ValueRewrite.Prefix(Template.literal(t.url() + "/"), Template.literal("/"));
    }

    private static void cookieRule(Level level, ConfNode node, Slot<List<ValueRewrite>> slot, Slot<Boolean> offHere,
                                   boolean domain) throws ConfigException {
        if (Boolean.TRUE.equals(level.getOwn(offHere))) {
            return;
        }
        if (node.argCount() == 1) {
            if (node.arg(0).equals("off")) {
                level.put(offHere, true);
                level.put(slot, new ArrayList<>());
                return;
            }
            throw node.error("invalid parameter \"" + node.arg(0) + "\"");
        }
        String from = node.arg(0);
        String to = node.arg(1);
        if (from.startsWith("~")) {
            boolean caseless = domain || from.startsWith("~*");
            String re = from.substring(from.startsWith("~*") ? 2 : 1);
            level.add(slot, new ValueRewrite.Regex(regex(node, re, caseless), compile(level, node, to)));
        } else if (domain) {
            if (from.startsWith(".")) {
                from = from.substring(1);
            }
            if (to.startsWith(".")) {
                to = to.substring(1);
            }
            level.add(slot, new ValueRewrite.Domain(compile(level, node, from), compile(level, node, to)));
        } else {
            level.add(slot, new ValueRewrite.Prefix(compile(level, node, from), compile(level, node, to)));
        }
    }

    /** ngx_http_upstream_bind_set_slot: "off", or an address (checked now unless it has variables) and "transparent". */
    private static void bind(Level level, ConfNode node) throws ConfigException {
        String v = node.arg(0);
        if (node.argCount() == 1 && v.equals("off")) {
            level.set(BIND, LocalBind.OFF, node);
            return;
        }
        boolean transparent = false;
        if (node.argCount() == 2) {
            if (!node.arg(1).equals("transparent")) {
                throw node.error("invalid parameter \"" + node.arg(1) + "\"");
            }
            if (!dev.portico.core.Transport.epoll()) {
                // nginx logs this and ignores the parameter; Portico does not accept what it cannot do
                throw node.error("transparent proxying is not supported on this platform");
            }
            transparent = true;
        }
        Template t = compile(level, node, v);
        if (t.isConstant()) {
            java.net.InetSocketAddress a = LocalBind.parse(v);
            if (a == null) {
                throw node.error("invalid address \"" + v + "\"");
            }
            level.set(BIND, new LocalBind(a, null, v, transparent), node);
        } else {
            level.set(BIND, new LocalBind(null, t, v, transparent), node);
        }
    }

    /** nginx's ngx_http_proxy_cookie_flags: "off" once, or a cookie and its flags, checked here when they are text. */
    private static void cookieFlags(Level level, ConfNode node) throws ConfigException {
        List<CookieFlagRule> own = level.getOwn(COOKIE_FLAGS);
        if (own != null && own.isEmpty()) {
            throw node.error("\"proxy_cookie_flags\" directive is duplicate");
        }
        if (node.argCount() == 1) {
            if (!node.arg(0).equals("off")) {
                throw node.error("invalid parameter \"" + node.arg(0) + "\"");
            }
            if (own != null) {
                throw node.error("\"proxy_cookie_flags\" directive is duplicate");
            }
            level.put(COOKIE_FLAGS, new ArrayList<>());
            return;
        }
        String cookie = node.arg(0);
        Pattern re = cookie.startsWith("~") ? regex(node, cookie.substring(1), true) : null;
        List<Template> flags = new ArrayList<>();
        for (String f : node.args().subList(1, node.argCount())) {
            Template t = compile(level, node, f);
            if (t.isConstant() && CookieFlagRule.mask(f) == 0) {
                throw node.error("invalid parameter \"" + f + "\"");
            }
            flags.add(t);
        }
        level.add(COOKIE_FLAGS, new CookieFlagRule(re == null ? compile(level, node, cookie) : null, re, List.copyOf(flags)));
    }

    private static Pattern regex(ConfNode node, String re, boolean caseless) throws ConfigException {
        try {
            return RegexSupport.compile(re, caseless);
        } catch (PatternSyntaxException e) {
            throw node.error(dev.portico.http.RegexSupport.compileError(e, re));
        }
    }
}
