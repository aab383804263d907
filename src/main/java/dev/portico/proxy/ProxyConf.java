package dev.portico.proxy;

import dev.portico.config.ConfNode;
import dev.portico.config.ConfigException;
import dev.portico.config.directive.Settings;
import dev.portico.core.BuildContext;
import dev.portico.http.HttpModule;
import dev.portico.http.TempPath;
import dev.portico.tls.ClientCertificates;
import dev.portico.tls.ClientTls;
import dev.portico.upstream.ResolverConf;
import dev.portico.upstream.UpstreamGroup;
import dev.portico.upstream.UpstreamModule;
import dev.portico.upstream.Upstreams;
import dev.portico.variables.SizeValue;
import dev.portico.variables.Template;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything one proxying location needs, resolved from its merged settings when the snapshot
 * is built: the target, compiled header rules, rewrite rules, timeouts and buffer limits. The
 * request path reads plain fields only.
 */
final class ProxyConf {
    private static final List<String> HIDDEN_BY_DEFAULT = List.of("Date", "Server", "X-Pad", "X-Accel-Expires",
        "X-Accel-Redirect", "X-Accel-Limit-Rate", "X-Accel-Buffering", "X-Accel-Charset");

    final ProxyTarget target;
    final Template dynamic;
    final String locationName;
    final UpstreamGroup group;
    final Upstreams upstreams;
    final ResolverConf resolver;
    final long resolverTimeout;
    final PoolKey poolKey;
    final String poolScope;
    /** TLS to the backend: null when the location cannot reach an https one. */
    final UpstreamTls tls;

    final RequestHeaderRules headers;
    final Template method;
    final Template setBody;
    final boolean passRequestHeaders;
    final boolean passRequestBody;
    /** {@code proxy_pass_trailers}: the backend's trailer fields (less the hidden ones) go to the client. */
    final boolean passTrailers;
    /** {@code proxy_bind}: {@link LocalBind#OFF} when the system chooses the local address. */
    final LocalBind bind;
    final boolean requestBuffering;
    final boolean buffering;
    final boolean interceptErrors;
    final boolean ignoreClientAbort;
    final boolean socketKeepalive;
    final boolean http11;

    final int nextUpstream;
    final int nextUpstreamTries;
    final long nextUpstreamTimeout;
    final long connectTimeout;
    final long sendTimeout;
    final long readTimeout;
    final long clientSendTimeout;
    final int bufferSize;
    final long readAhead;
    final long maxTempFileSize;
    final long tempFileWriteSize;
    final TempPath tempPath;
    final SizeValue limitRate;

    final long clientBodyBufferSize;
    final TempPath clientBodyTempPath;

    final HeaderNameSet hide;
    final List<ValueRewrite> redirects;
    final List<ValueRewrite> cookieDomains;
    final List<ValueRewrite> cookiePaths;
    final List<CookieFlagRule> cookieFlags;
    final boolean honourAccelRedirect;
    final boolean honourAccelBuffering;
    final boolean honourAccelLimitRate;

    /**
     * Which keep-alive cache a connection belongs to: the group, in "local" mode the location,
     * and for TLS the context's settings plus the name sent as SNI, the one the certificate was
     * checked against and the client certificate a request named, so that connections made
     * differently never mix.
     */
    static final class PoolKey {
        private final String group;
        private final ClientTls tls;
        private final String scope;
        private final String sni;
        private final String verifiedName;
        private final ClientCertificates.Pair clientCertificate;
        /** The proxy_bind address the connections come from (null: the system's choice). */
        private final java.net.InetSocketAddress local;
        private final int hash;

        PoolKey(String group, ClientTls tls, String scope, String sni, String verifiedName, ClientCertificates.Pair clientCertificate) {
            this(group, tls, scope, sni, verifiedName, clientCertificate, null);
        }

        private PoolKey(String group, ClientTls tls, String scope, String sni, String verifiedName,
                        ClientCertificates.Pair clientCertificate, java.net.InetSocketAddress local) {
            this.group = group;
            this.tls = tls;
            this.scope = scope;
            this.sni = sni;
            this.verifiedName = verifiedName;
            this.clientCertificate = clientCertificate;
            this.local = local;
            this.hash = java.util.Objects.hash(group, tls, scope, sni, verifiedName, clientCertificate, local);
        }

        /** The same key for connections bound to {@code address}: only they are shared with each other. */
        PoolKey boundTo(java.net.InetSocketAddress address) {
            return address == null ? this : new PoolKey(group, tls, scope, sni, verifiedName, clientCertificate, address);
        }

        /** The key for a request to {@code g}: null when the group keeps no connections. */
        static PoolKey of(UpstreamGroup g, ProxyConf conf, boolean https, String sni, String verifiedName,
                          ClientCertificates.Pair clientCertificate) {
            if (!g.keepalive().enabled()) {
                return null;
            }
            return new PoolKey(g.name(), https ? conf.tls.context : null, g.keepalive().local() ? conf.poolScope : null,
                https ? sni : null, https ? verifiedName : null, https ? clientCertificate : null);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            return o == this || o instanceof PoolKey k && k.hash == hash && k.group.equals(group)
                && java.util.Objects.equals(k.tls, tls) && java.util.Objects.equals(k.scope, scope)
                && java.util.Objects.equals(k.sni, sni) && java.util.Objects.equals(k.verifiedName, verifiedName)
                && java.util.Objects.equals(k.clientCertificate, clientCertificate)
                && java.util.Objects.equals(k.local, local);
        }
    }

    private ProxyConf(ProxyModule.ProxyPassSpec pp, Settings s, BuildContext build) throws ConfigException {
        ConfNode node = pp.node();
        this.target = pp.target();
        this.dynamic = pp.dynamic();
        this.locationName = pp.locationName();
        this.upstreams = UpstreamModule.upstreams(build);
        this.resolver = s.get(UpstreamModule.RESOLVER);
        this.resolverTimeout = s.get(UpstreamModule.RESOLVER_TIMEOUT);
        this.poolScope = node.file() + ":" + node.line();
        boolean mayUseTls = target != null ? target.https() : dynamic != null;
        try {
            // nginx makes the context for https and for URLs with variables (which may turn out https)
            this.tls = mayUseTls ? UpstreamTls.compile(s, build) : null;
        } catch (ConfigException e) {
            throw e.at(node);
        }
        if (target != null) {
            UpstreamGroup g = null;
            if (!target.address().isUnix() && !target.address().explicitPort()) {
                g = upstreams.block(target.address().host());
            }
            if (g == null) {
                g = upstreams.implicit(target.address(), node);
            }
            this.group = g;
            if (tls != null && tls.perRequest()) {
                // the name or the client certificate is the request's: the key is made per request
                this.poolKey = null;
            } else if (tls != null) {
                String name = tls.name(null, UpstreamTls.hostOf(target));
                this.poolKey = PoolKey.of(g, this, true, tls.sni(name), tls.verifiedName(name), null);
            } else {
                this.poolKey = PoolKey.of(g, this, false, null, null, null);
            }
        } else {
            this.group = null;
            this.poolKey = null;
        }

        this.http11 = s.get(ProxyModule.HTTP11);
        this.headers = RequestHeaderRules.compile(s.get(ProxyModule.SET_HEADERS), build);
        this.method = s.get(ProxyModule.METHOD);
        this.setBody = s.get(ProxyModule.SET_BODY);
        this.passRequestHeaders = s.get(ProxyModule.PASS_REQUEST_HEADERS);
        this.passRequestBody = s.get(ProxyModule.PASS_REQUEST_BODY);
        this.requestBuffering = s.get(ProxyModule.REQUEST_BUFFERING);
        this.buffering = s.get(ProxyModule.BUFFERING);
        this.interceptErrors = s.get(ProxyModule.INTERCEPT_ERRORS);
        this.passTrailers = s.get(ProxyModule.PASS_TRAILERS);
        this.bind = s.get(ProxyModule.BIND);
        this.ignoreClientAbort = s.get(ProxyModule.IGNORE_CLIENT_ABORT);
        this.socketKeepalive = s.get(ProxyModule.SOCKET_KEEPALIVE);
        this.nextUpstream = s.get(ProxyModule.NEXT_UPSTREAM);
        this.nextUpstreamTries = s.get(ProxyModule.NEXT_UPSTREAM_TRIES);
        this.nextUpstreamTimeout = s.get(ProxyModule.NEXT_UPSTREAM_TIMEOUT);
        this.connectTimeout = s.get(ProxyModule.CONNECT_TIMEOUT);
        this.sendTimeout = s.get(ProxyModule.SEND_TIMEOUT);
        this.readTimeout = s.get(ProxyModule.READ_TIMEOUT);
        this.clientSendTimeout = s.get(HttpModule.SEND_TIMEOUT);

        // nginx's checks of the buffer sizes (ngx_http_proxy_merge_loc_conf)
        long bufSize = s.get(ProxyModule.BUFFER_SIZE);
        long[] bufs = s.get(ProxyModule.BUFFERS);
        if (bufs[0] < 2) {
            throw node.error("there must be at least 2 \"proxy_buffers\"");
        }
        long size = Math.max(bufSize, bufs[1]);
        Long busyConf = s.get(ProxyModule.BUSY_BUFFERS_SIZE);
        long busy = busyConf == null ? 2 * size : busyConf;
        if (busy < size) {
            throw node.error("\"proxy_busy_buffers_size\" must be equal to or greater than the maximum of the value of "
                + "\"proxy_buffer_size\" and one of the \"proxy_buffers\"");
        }
        if (busy > (bufs[0] - 1) * bufs[1]) {
            throw node.error("\"proxy_busy_buffers_size\" must be less than the size of all \"proxy_buffers\" minus one buffer");
        }
        Long writeConf = s.get(ProxyModule.TEMP_FILE_WRITE_SIZE);
        long write = writeConf == null ? 2 * size : writeConf;
        if (write < size) {
            throw node.error("\"proxy_temp_file_write_size\" must be equal to or greater than the maximum of the value of "
                + "\"proxy_buffer_size\" and one of the \"proxy_buffers\"");
        }
        Long maxTemp = s.get(ProxyModule.MAX_TEMP_FILE_SIZE);
        long max = maxTemp == null ? 1024L * 1024 * 1024 : maxTemp;
        if (max != 0 && max < size) {
            throw node.error("\"proxy_max_temp_file_size\" must be equal to zero to disable temporary files usage or must be "
                + "equal to or greater than the maximum of the value of \"proxy_buffer_size\" and one of the \"proxy_buffers\"");
        }
        this.bufferSize = (int) Math.min(Integer.MAX_VALUE, bufSize);
        this.readAhead = bufs[0] * bufs[1];
        this.maxTempFileSize = max;
        this.tempFileWriteSize = write;
        this.tempPath = s.get(ProxyModule.TEMP_PATH).resolve(build.prefix().prefix());
        this.limitRate = s.get(ProxyModule.LIMIT_RATE);
        this.clientBodyBufferSize = s.get(HttpModule.CLIENT_BODY_BUFFER_SIZE);
        this.clientBodyTempPath = s.get(HttpModule.CLIENT_BODY_TEMP_PATH).resolve(build.prefix().prefix());

        List<String> hidden = new ArrayList<>(HIDDEN_BY_DEFAULT);
        List<String> extra = s.get(ProxyModule.HIDE_HEADERS);
        if (extra != null) {
            hidden.addAll(extra);
        }
        List<String> pass = s.get(ProxyModule.PASS_HEADERS);
        if (pass != null) {
            hidden.removeIf(h -> pass.stream().anyMatch(h::equalsIgnoreCase));
        }
        this.hide = new HeaderNameSet(hidden);

        List<ValueRewrite> rules = s.get(ProxyModule.REDIRECTS);
        if (!s.get(ProxyModule.REDIRECT_ON)) {
            this.redirects = List.of();
        } else if (rules == null) {
            this.redirects = target != null ? List.of(ProxyModule.defaultRedirect(pp)) : List.of();
        } else {
            this.redirects = rules;
        }
        List<ValueRewrite> cd = s.get(ProxyModule.COOKIE_DOMAINS);
        List<ValueRewrite> cp = s.get(ProxyModule.COOKIE_PATHS);
        this.cookieDomains = cd == null ? List.of() : cd;
        this.cookiePaths = cp == null ? List.of() : cp;
        List<CookieFlagRule> cf = s.get(ProxyModule.COOKIE_FLAGS);
        this.cookieFlags = cf == null ? List.of() : List.copyOf(cf);
        List<String> ignore = s.get(ProxyModule.IGNORE_HEADERS);
        this.honourAccelRedirect = ignore == null || !ignore.contains("x-accel-redirect");
        this.honourAccelBuffering = ignore == null || !ignore.contains("x-accel-buffering");
        this.honourAccelLimitRate = ignore == null || !ignore.contains("x-accel-limit-rate");
    }

    static ProxyConf compile(ProxyModule.ProxyPassSpec pp, Settings s, BuildContext build) throws ConfigException {
        return new ProxyConf(pp, s, build);
    }
}
