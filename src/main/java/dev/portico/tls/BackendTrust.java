package dev.portico.tls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The trust manager of a context for backends. With {@code proxy_ssl_verify off} every
 * certificate is taken, as nginx takes it. With it on, the chain is checked by a
 * {@link ChainVerifier} and a failure stops the handshake with a {@link VerifyFailure} that
 * carries OpenSSL's code and text for the error log; nginx completes the handshake and then
 * closes, which the client cannot tell apart (502 either way). The name is checked after the
 * handshake ({@link ClientTls#matches}), as nginx does.
 */
final class BackendTrust extends X509ExtendedTrustManager {
    /** A verification failure in OpenSSL's terms. */
    static final class VerifyFailure extends CertificateException {
        private static final long serialVersionUID = 1L;
        VerifyFailure(VerifyError error) {
            super("upstream SSL certificate verify error: (" + error.code + ":" + error.text + ")");
        }
    }

    private final ChainVerifier verifier;

    /** @param verifier null: nothing is checked */
    BackendTrust(ChainVerifier verifier) {
        this.verifier = verifier;
    }

    private void check(X509Certificate[] chain) throws CertificateException {
        if (verifier == null) {
            return;
        }
        if (chain == null || chain.length == 0) {
            throw new CertificateException("no certificate from the backend");
        }
        VerifyError error = verifier.verify(List.of(chain), new Date());
        if (error != null) {
            throw new VerifyFailure(error);
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        throw new CertificateException("a backend context does not take clients");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        throw new CertificateException("a backend context does not take clients");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("a backend context does not take clients");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
