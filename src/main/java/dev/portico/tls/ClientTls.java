package dev.portico.tls;

import dev.portico.config.ConfigException;
import dev.portico.core.BuildContext;
import dev.portico.observability.Errno;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.netty.handler.ssl.SslProvider;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * TLS to backends ({@code proxy_ssl_*}): one SSL context, compiled when the configuration
 * loads, shared by the locations of one configuration whose settings come to the same material.
 * Equal material means equal objects, so the keep-alive cache can tell connections made with
 * different settings apart, across reloads too.
 */
public final class ClientTls {
    /** The {@code proxy_ssl_*} values of a location as written (file names relative to the configuration's directory). */
    public record Options(boolean verify, String trustedCertificate, int verifyDepth, String crl, List<String> protocols,
                          String ciphers, String certificate, String certificateKey, String passwordFile) {
    }

    /** The contexts one configuration made, by material. */
    private static final class Contexts {
        final Map<ClientTlsMaterial, ClientTls> byMaterial = new HashMap<>();
    }

    private final ClientTlsMaterial material;
    private final SslContext context;
    private final int hash;

    private ClientTls(ClientTlsMaterial material, SslContext context) {
        this.material = material;
        this.context = context;
        this.hash = material.hashCode();
    }

    /** The context for the options, made now (files read, checked) or shared with a location of this build that has the same. */
    public static ClientTls compile(Options o, BuildContext build) throws ConfigException {
        SslProvider provider;
        try {
            provider = TlsEngine.provider();
        } catch (IllegalStateException e) {
            throw new ConfigException(e.getMessage());
        }
        ClientTlsMaterial m = ClientTlsMaterial.read(o, build.prefix().confDir(), provider.name());
        Contexts contexts = build.registry(Contexts.class, Contexts::new);
        ClientTls t = contexts.byMaterial.get(m);
        if (t == null) {
            t = new ClientTls(m, ClientContextFactory.build(m, provider));
            contexts.byMaterial.put(m, t);
        }
        return t;
    }

    /**
     * This context's settings with another client certificate (full paths or {@code data:}
     * values): files read and a context built now, so only ever on a loader thread.
     */
    ClientTls withCertificate(String certificatePath, String keyPath) throws ConfigException {
        ClientTlsMaterial m = material.withCertificate(certificatePath, keyPath);
        return new ClientTls(m, ClientContextFactory.build(m, SslProvider.valueOf(material.engine())));
    }

    /**
     * Secures a connected blocking socket (a health check's, on a checker thread): the same
     * trust, client certificate, protocols and, with verification on, the same name check as
     * the proxy's connections. {@code serverName} goes as SNI when not null.
     */
    public java.net.Socket secure(java.net.Socket plain, String serverName, String verifiedName) throws java.io.IOException {
        javax.net.ssl.SSLContext c;
        try {
            c = blocking();
        } catch (ConfigException e) {
            throw new java.io.IOException(e.getMessage());
        }
        javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) c.getSocketFactory().createSocket(plain,
            serverName != null ? serverName : plain.getInetAddress().getHostAddress(), plain.getPort(), true);
        SSLParameters p = s.getSSLParameters();
        SNIServerName sni = serverName == null ? null : sniName(serverName);
        p.setServerNames(sni == null ? List.of() : List.of(sni));
        p.setProtocols(material.protocols().stream().filter(x -> !x.startsWith("SSL")).toArray(String[]::new));
        s.setSSLParameters(p);
        s.startHandshake();
        if (verifiedName != null && material.verify() && !matches(s.getSession(), verifiedName)) {
            s.close();
            throw new java.io.IOException("upstream SSL certificate does not match \"" + verifiedName + "\"");
        }
        return s;
    }

    /** Built on first use: only health checks of https upstreams need it. */
    private volatile javax.net.ssl.SSLContext blocking;

    private javax.net.ssl.SSLContext blocking() throws ConfigException {
        javax.net.ssl.SSLContext c = blocking;
        if (c == null) {
            c = ClientContextFactory.blocking(material);
            blocking = c;
        }
        return c;
    }

    public boolean verify() {
        return material.verify();
    }

    /**
     * The handler for one new connection. With a {@code sessionKey} the engine offers, and
     * keeps, sessions under that key and {@code port} (null: no resumption); the server name is
     * sent as SNI when given and usable. The handshake gets {@code handshakeTimeoutMillis}.
     */
    public SslHandler newHandler(ByteBufAllocator alloc, String sessionKey, int port, String serverName, long handshakeTimeoutMillis) {
        SslHandler h = sessionKey == null ? context.newHandler(alloc) : context.newHandler(alloc, sessionKey, port);
        SSLEngine engine = h.engine();
        SSLParameters p = engine.getSSLParameters();
        SNIServerName sni = serverName == null ? null : sniName(serverName);
        p.setServerNames(sni == null ? List.of() : List.of(sni));
        engine.setSSLParameters(p);
        h.setHandshakeTimeoutMillis(Math.max(1, handshakeTimeoutMillis));
        return h;
    }

    /** SNI as nginx sends it; a name Java's strict check refuses (an underscore, say) goes as its bytes, else not at all. */
    private static SNIServerName sniName(String name) {
        try {
            return new SNIHostName(name);
        } catch (IllegalArgumentException strict) {
            try {
                return new SNIHostName(name.getBytes(StandardCharsets.US_ASCII));
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
    }

    /** nginx's name check after the handshake: X509_check_host on the backend's certificate. */
    public static boolean matches(SSLSession session, String name) {
        try {
            Certificate[] peer = session.getPeerCertificates();
            return peer.length > 0 && peer[0] instanceof X509Certificate x && HostMatcher.matches(x, name);
        } catch (SSLPeerUnverifiedException e) {
            return false;
        }
    }

    /** True when a handshake failed because it took longer than its time. */
    public static boolean timedOut(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof SslHandshakeTimeoutException) {
                return true;
            }
        }
        return false;
    }

    /** What nginx logs for a failed handshake (without the "while SSL handshaking to upstream"). */
    public static String failure(Throwable cause) {
        BackendTrust.VerifyFailure v = find(cause, 0);
        if (v != null) {
            return v.getMessage();
        }
        if (cause == null || cause instanceof ClosedChannelException
            || String.valueOf(cause.getMessage()).contains("closed")) {
            return "peer closed connection in SSL handshake";
        }
        if (cause instanceof SSLException) {
            return "SSL_do_handshake() failed (SSL: " + cause.getMessage() + ")";
        }
        return "SSL_do_handshake() failed (" + Errno.of(cause) + ")";
    }

    /** The TLS library's message when {@code cause} is (or wraps) a TLS failure, else null. */
    public static String sslError(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof SSLException) {
                return t.getMessage();
            }
        }
        return null;
    }

    /** The verification failure behind a handshake failure, wherever the engine put it (cause or suppressed). */
    private static BackendTrust.VerifyFailure find(Throwable t, int depth) {
        if (t == null || depth > 8) {
            return null;
        }
        if (t instanceof BackendTrust.VerifyFailure v) {
            return v;
        }
        for (Throwable s : t.getSuppressed()) {
            BackendTrust.VerifyFailure v = find(s, depth + 1);
            if (v != null) {
                return v;
            }
        }
        return find(t.getCause(), depth + 1);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public boolean equals(Object o) {
        return o == this || o instanceof ClientTls t && t.hash == hash && t.material.equals(material);
    }

    @Override
    public String toString() {
        return "ClientTls[verify=" + material.verify() + ", engine=" + material.engine() + "]";
    }
}
