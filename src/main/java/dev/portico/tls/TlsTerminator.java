package dev.portico.tls;

import dev.portico.config.ConfigException;
import dev.portico.config.directive.Settings;
import dev.portico.core.BuildContext;
import dev.portico.http.AddressConf;
import dev.portico.http.ClientConnection;
import dev.portico.http.ConnectionSecurity;
import dev.portico.http.Exchange;
import dev.portico.http.Http2Module;
import dev.portico.http.ListenSpec;
import dev.portico.http.ServerNameIndex;
import dev.portico.http.VirtualServer;
import io.netty.channel.Channel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * One configuration's TLS side: every server's SSL context, compiled at load, and what each
 * {@code ssl} connection gets in front of HTTP: a check that the client speaks TLS at all, then
 * a handshake whose certificate is that of the server named by SNI.
 */
final class TlsTerminator implements ConnectionSecurity {
    /**
     * A server's TLS: a context for each certificate pair (none without certificate or with
     * {@code ssl_reject_handshake on}), the same pairs offering {@code h2} by ALPN (built when
     * HTTP/2 may be on for the server: its {@code http2 on}, or any {@code listen ... http2}),
     * the stapler of each certificate, whether the server has {@code http2 on}, and the
     * per-connection switches.
     */
    record ServerTls(List<SslContext> contexts, List<SslContext> h2Contexts, List<Boolean> ecdsa, List<Stapler> staplers,
                     boolean http2, boolean reject, boolean preferServerCiphers, boolean tickets, VerifyMode verify,
                     ChainVerifier verifier, ServerNameCertificates perName) {
        /** The OCSP response to staple to a handshake with {@code context}, or null. */
        byte[] staple(SslContext context) {
            for (int i = 0; i < staplers.size(); i++) {
                if (contexts.get(i) == context || i < h2Contexts.size() && h2Contexts.get(i) == context) {
                    return staplers.get(i).response();
                }
            }
            return null;
        }

        /** The pair for a client: its first ECDSA one when it can take ECDSA, else its first other one. */
        SslContext contextFor(ClientHello hello, boolean offerH2) {
            List<SslContext> from = offerH2 && !h2Contexts.isEmpty() ? h2Contexts : contexts;
            SslContext fallback = null;
            for (int i = 0; i < from.size(); i++) {
                if (ecdsa.get(i) == hello.ecdsa()) {
                    return from.get(i);
                }
                if (fallback == null) {
                    fallback = from.get(i);
                }
            }
            return fallback;
        }
    }

    private final Map<VirtualServer, ServerTls> byServer;

    private TlsTerminator(Map<VirtualServer, ServerTls> byServer) {
        this.byServer = byServer;
    }

    static ConnectionSecurity build(List<VirtualServer> servers, BuildContext build) throws ConfigException {
        SslProvider provider;
        try {
            provider = TlsEngine.provider();
        } catch (IllegalStateException e) {
            throw new ConfigException(e.getMessage());
        }
        ContextCache cache = ContextCache.of(build.server());
        Map<VirtualServer, ServerTls> byServer = new IdentityHashMap<>();
        // "listen ... http2" turns HTTP/2 on for every server of its address
        boolean anyListenH2 = servers.stream().anyMatch(vs -> vs.listens().stream().anyMatch(ListenSpec::http2));
        for (VirtualServer vs : servers) {
            Settings s = vs.settings();
            boolean reject = s.get(TlsModule.REJECT_HANDSHAKE);
            if (!reject && TlsMaterial.perServerName(s)) {
                ClientAuthSettings auth;
                try {
                    auth = ClientAuthSettings.read(s, build.prefix().confDir());
                } catch (ConfigException e) {
                    throw at(vs, e);
                }
                boolean http2 = Http2Module.enabled(s);
                byServer.put(vs, new ServerTls(List.of(), List.of(), List.of(), List.of(), http2, false,
                    s.get(TlsModule.PREFER_SERVER_CIPHERS), s.get(TlsModule.SESSION_TICKETS), auth.mode(), auth.verifier(),
                    new ServerNameCertificates(s, build.prefix().confDir(), provider, cache.loader(), http2 || anyListenH2)));
                continue;
            }
            TlsMaterial m;
            try {
                m = TlsMaterial.read(s, build, provider.name());
            } catch (ConfigException e) {
                throw at(vs, e);
            }
            if (m == null) {
                if (!reject) {
                    for (ListenSpec l : vs.listens()) {
                        if (l.ssl()) {
                            throw new ConfigException("no \"ssl_certificate\" is defined for the \"listen ... ssl\" directive",
                                l.file(), l.line());
                        }
                    }
                }
                byServer.put(vs, new ServerTls(List.of(), List.of(), List.of(), List.of(), false, reject, false, true,
                    s.get(TlsModule.VERIFY_CLIENT), null, null));
                continue;
            }
            List<SslContext> contexts = new java.util.ArrayList<>();
            List<SslContext> h2Contexts = new java.util.ArrayList<>();
            List<Boolean> ecdsa = new java.util.ArrayList<>();
            List<Stapler> staplers;
            boolean http2 = Http2Module.enabled(s);
            try {
                for (int i = 0; i < m.certificates().size(); i++) {
                    contexts.add(cache.context(m, i, build, provider, false));
                    if (http2 || anyListenH2) {
                        h2Contexts.add(cache.context(m, i, build, provider, true));
                    }
                    ecdsa.add(PemMaterial.certificates(m.certificates().get(i), m.certificateNames().get(i))[0]
                        .getPublicKey().getAlgorithm().startsWith("EC"));
                }
                staplers = reject ? List.of() : Stapling.forServer(m, provider, build);
            } catch (ConfigException e) {
                throw at(vs, e);
            }
            byServer.put(vs, new ServerTls(List.copyOf(contexts), List.copyOf(h2Contexts), List.copyOf(ecdsa), staplers, http2, reject,
                m.preferServerCiphers(), m.tickets(), m.clientAuth().mode(), m.clientAuth().verifier(), null));
        }
        return new TlsTerminator(byServer);
    }

    /** A certificate or key that cannot be used is reported at the server block that names it, as nginx does. */
    private static ConfigException at(VirtualServer vs, ConfigException e) {
        if (e.file() != null) {
            return e;
        }
        String where = vs.source();
        int colon = where.lastIndexOf(':');
        return new ConfigException(e.bareMessage(), java.nio.file.Path.of(where.substring(0, colon)),
            Integer.parseInt(where.substring(colon + 1)));
    }

    @Override
    public void install(Channel ch, AddressConf address, ClientConnection connection) {
        ch.pipeline().addLast("tls-detect", new TlsDetector(this, address, connection));
    }

    /**
     * nginx's checks of a request on a TLS connection, in its order. With client certificates
     * verified by the request's server: a request whose {@code Host} differs from the name the
     * handshake selected its server by is 421 (answered by that server), as the certificate was
     * judged for the other name; then a certificate that failed verification is 495 (except an
     * unknown issuer under {@code optional_no_ca}) and a missing one, with {@code on}, 496.
     */
    @Override
    public Refusal refusal(Exchange ex) {
        Channel ch = ex.connection().channel();
        TlsConnection tls = TlsConnection.of(ch);
        ServerTls asked = byServer.get(ex.server());
        if (tls == null || asked == null || asked.verify() == VerifyMode.OFF) {
            return null;
        }
        String named = tls.namedServer();
        if (named != null && !named.equals(ex.host())) {
            ServerNameIndex.Hit<VirtualServer> sni = ex.connection().address().servers().findNamed(named);
            return new Refusal(421, sni != null ? sni.server() : ex.server(),
                "client attempted to request the server name different from the one that was negotiated");
        }
        PeerCertificate peer = tls.peer();
        VerifyError error = peer.error();
        if (error != null && !(asked.verify() == VerifyMode.OPTIONAL_NO_CA && error.untrustedIssuerOnly())) {
            tls.forgetSession();
            return new Refusal(495, ex.server(), "client SSL certificate verify error: (" + error.code + ":" + error.text + ")");
        }
        if (asked.verify() == VerifyMode.ON && peer.certificate() == null) {
            tls.forgetSession();
            return new Refusal(496, ex.server(), "client sent no required SSL certificate");
        }
        return null;
    }

    /** The TLS of the server a handshake for {@code serverName} (null: no SNI) reaches on {@code address}. */
    ServerTls forName(AddressConf address, String serverName) {
        VirtualServer vs = serverName == null || serverName.isEmpty()
            ? address.servers().defaultServer() : address.servers().find(serverName).server();
        return byServer.get(vs);
    }
}
