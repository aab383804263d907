package dev.portico.tls;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import javax.net.ssl.SSLEngine;

/**
 * What a TLS connection's handshake settled that each of its requests is checked against: the
 * name the client asked for when it selected a server by that name (nginx's
 * {@code hc->ssl_servername}; null when SNI was absent or fell back to the default server), and
 * the client certificate, verified once by the server the handshake chose.
 */
final class TlsConnection {
    private static final AttributeKey<TlsConnection> KEY = AttributeKey.valueOf(TlsConnection.class, "tls");

    private final String namedServer;
    private final ChainVerifier verifier;
    /** Kept here rather than looked up in the pipeline, which is emptied when the connection closes (before the log phase, say). */
    private final SSLEngine engine;
    private PeerCertificate peer;

    private TlsConnection(String namedServer, ChainVerifier verifier, SSLEngine engine) {
        this.namedServer = namedServer;
        this.verifier = verifier;
        this.engine = engine;
    }

    static void attach(Channel ch, String namedServer, ChainVerifier verifier, SSLEngine engine) {
        ch.attr(KEY).set(new TlsConnection(namedServer, verifier, engine));
    }

    /** The TLS state of a connection, or null for a plain one. */
    static TlsConnection of(Channel ch) {
        return ch.attr(KEY).get();
    }

    String namedServer() {
        return namedServer;
    }

    /** The client's certificate and its verification, worked out at the first request that asks. */
    PeerCertificate peer() {
        PeerCertificate p = peer;
        if (p == null) {
            p = PeerCertificate.of(engine.getSession(), verifier);
            peer = p;
        }
        return p;
    }

    /** Keeps a session whose certificate was refused from being resumed, as nginx drops it from the cache. */
    void forgetSession() {
        engine.getSession().invalidate();
    }
}
