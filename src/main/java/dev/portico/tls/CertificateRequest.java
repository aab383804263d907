package dev.portico.tls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The trust manager of a server that asks for client certificates: it names the
 * {@code ssl_client_certificate} CAs in the CertificateRequest (both engines take the list from
 * {@link #getAcceptedIssuers()}) and accepts whatever the client sends. nginx completes the
 * handshake whatever the certificate and judges it per request (400 with 495 or 496), which
 * {@link ChainVerifier} does from the session's chain; a trust manager that threw would fail
 * the handshake instead.
 */
final class CertificateRequest extends X509ExtendedTrustManager {
    private final X509Certificate[] issuers;

    CertificateRequest(List<X509Certificate> issuers) {
        this.issuers = issuers.toArray(new X509Certificate[0]);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return issuers.clone();
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {
        // judged per request
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        // judged per request
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        // judged per request
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("server side only");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        throw new CertificateException("server side only");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        throw new CertificateException("server side only");
    }
}
