package dev.portico.tls;

import dev.portico.config.ConfigException;
import dev.portico.config.directive.Settings;
import dev.portico.core.BuildContext;
import dev.portico.http.AddressConf;
import dev.portico.http.ClientConnection;
import dev.portico.http.ConnectionSecurity;
import dev.portico.http.Http2Module;
import dev.portico.http.ListenSpec;
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
     * whether the server has {@code http2 on}, and the per-connection switches.
     */
    record ServerTls(List<SslContext> contexts, List<SslContext> h2Contexts, List<Boolean> ecdsa, boolean http2, boolean reject,
                     boolean preferServerCiphers, boolean tickets) {
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
                byServer.put(vs, new ServerTls(List.of(), List.of(), List.of(), false, reject, false, true));
                continue;
            }
            List<SslContext> contexts = new java.util.ArrayList<>();
            List<SslContext> h2Contexts = new java.util.ArrayList<>();
            List<Boolean> ecdsa = new java.util.ArrayList<>();
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
            } catch (ConfigException e) {
                throw at(vs, e);
            }
            byServer.put(vs, new ServerTls(List.copyOf(contexts), List.copyOf(h2Contexts), List.copyOf(ecdsa), http2, reject,
                m.preferServerCiphers(), m.tickets()));
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

    /** The TLS of the server a handshake for {@code serverName} (null: no SNI) reaches on {@code address}. */
    ServerTls forName(AddressConf address, String serverName) {
        VirtualServer vs = serverName == null || serverName.isEmpty()
            ? address.servers().defaultServer() : address.servers().find(serverName).server();
        return byServer.get(vs);
    }
}
