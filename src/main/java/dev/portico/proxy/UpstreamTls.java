package dev.portico.proxy;

import dev.portico.config.ConfigException;
import dev.portico.config.directive.Settings;
import dev.portico.core.BuildContext;
import dev.portico.http.Exchange;
import dev.portico.tls.ClientCertificates;
import dev.portico.tls.ClientTls;
import dev.portico.upstream.ServerAddress;
import dev.portico.variables.Template;

/**
 * A location's TLS to its backends: the SSL context compiled from its {@code proxy_ssl_*}
 * settings, and how each request names the backend (nginx's {@code ngx_http_upstream_ssl_name}):
 * {@code proxy_ssl_name} or else the host of {@code proxy_pass}, without a port; sent as SNI only
 * with {@code proxy_ssl_server_name on} and never for an IP address; checked against the
 * certificate with {@code proxy_ssl_verify on}. A client certificate named with variables is the
 * request's too ({@link ClientCertificates}).
 */
final class UpstreamTls {
    final ClientTls context;
    private final boolean serverName;
    private final Template name;
    final boolean sessionReuse;
    /** With a client certificate named with variables: the contexts the requests' names give; else null. */
    final ClientCertificates certificates;
    private final Template certificate;
    private final Template certificateKey;

    private UpstreamTls(ClientTls context, boolean serverName, Template name, boolean sessionReuse, ClientCertificates certificates,
                        Template certificate, Template certificateKey) {
        this.context = context;
        this.serverName = serverName;
        this.name = name;
        this.sessionReuse = sessionReuse;
        this.certificates = certificates;
        this.certificate = certificate;
        this.certificateKey = certificateKey;
    }

    static UpstreamTls compile(Settings s, BuildContext build) throws ConfigException {
        Template cert = s.get(ProxyModule.SSL_CERTIFICATE);
        Template key = s.get(ProxyModule.SSL_CERTIFICATE_KEY);
        // as nginx: either name with variables makes both per request
        boolean perRequest = cert != null && (!cert.isConstant() || key != null && !key.isConstant());
        if (perRequest && key == null) {
            throw new ConfigException("no \"proxy_ssl_certificate_key\" is defined for certificate \"" + cert.source() + "\"");
        }
        ClientTls.Options o = new ClientTls.Options(s.get(ProxyModule.SSL_VERIFY), s.get(ProxyModule.SSL_TRUSTED_CERTIFICATE),
            s.get(ProxyModule.SSL_VERIFY_DEPTH), s.get(ProxyModule.SSL_CRL), s.get(ProxyModule.SSL_PROTOCOLS),
            s.get(ProxyModule.SSL_CIPHERS), perRequest || cert == null ? null : cert.source(),
            perRequest || key == null ? null : key.source(), s.get(ProxyModule.SSL_PASSWORD_FILE));
        ClientTls context = ClientTls.compile(o, build);
        ClientCertificates certificates = perRequest
            ? new ClientCertificates(context, s.get(ProxyModule.SSL_CERTIFICATE_CACHE), build) : null;
        return new UpstreamTls(context, s.get(ProxyModule.SSL_SERVER_NAME), s.get(ProxyModule.SSL_NAME),
            s.get(ProxyModule.SSL_SESSION_REUSE), certificates, cert, key);
    }

    /** True when the name does not depend on the request (so the keep-alive key can be made once). */
    boolean constantName() {
        return name == null || name.isConstant();
    }

    /** True when the keep-alive key depends on the request: its backend name or its client certificate. */
    boolean perRequest() {
        return !constantName() || certificates != null;
    }

    /**
     * The client certificate and key this request names, or null when it presents the location's
     * own (none, or a constant one): as nginx, an empty certificate name means no certificate.
     */
    ClientCertificates.Pair certificate(Exchange ex) {
        if (certificates == null) {
            return null;
        }
        String c = certificate.render(ex);
        return c.isEmpty() ? null : new ClientCertificates.Pair(c, certificateKey.render(ex));
    }

    /** The backend's name for this request; {@code ex} may be null when the name is constant. */
    String name(Exchange ex, String proxyPassHost) {
        String n = name == null ? proxyPassHost : name.render(ex);
        return withoutPort(n);
    }

    /** The SNI to send for {@code name}, or null: off, empty, or an IP address (RFC 6066 allows no literals). */
    String sni(String n) {
        if (!serverName || n.isEmpty() || n.startsWith("[") || ServerAddress.isIpLiteral(n)) {
            return null;
        }
        return n;
    }

    /** The name the certificate must match, or null when nothing is checked. */
    String verifiedName(String n) {
        return context.verify() ? n : null;
    }

    /** A name from $proxy_host or $http_host may carry a port: nginx cuts it off. */
    static String withoutPort(String n) {
        int from = 0;
        if (n.startsWith("[")) {
            int close = n.indexOf(']');
            from = close < 0 ? 0 : close;
        }
        int colon = n.indexOf(':', from);
        return colon < 0 ? n : n.substring(0, colon);
    }

    /** nginx's host of a proxy_pass URL (the upstream's name, or the URL's host; IPv6 in brackets). */
    static String hostOf(ProxyTarget t) {
        String h = t.address().host();
        return h.indexOf(':') >= 0 ? "[" + h + "]" : h;
    }
}
