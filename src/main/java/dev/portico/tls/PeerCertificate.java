package dev.portico.tls;

import java.io.ByteArrayInputStream;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * The certificate a client sent (with the chain it sent along) and how it verified, or
 * {@link #NONE}. An error of null with a certificate is nginx's {@code SUCCESS}.
 */
record PeerCertificate(List<X509Certificate> chain, VerifyError error) {
    static final PeerCertificate NONE = new PeerCertificate(List.of(), null);

    /** The session's peer chain, verified by the handshake's server ({@code verifier} null: none was asked for). */
    static PeerCertificate of(SSLSession session, ChainVerifier verifier) {
        List<X509Certificate> chain = chain(session);
        if (chain.isEmpty()) {
            return NONE;
        }
        return new PeerCertificate(chain, verifier == null ? null : verifier.verify(chain, new Date()));
    }

    /** The client's own certificate, or null. */
    X509Certificate certificate() {
        return chain.isEmpty() ? null : chain.get(0);
    }

    /** {@code $ssl_client_verify}: SUCCESS, FAILED:reason, or NONE without a certificate. */
    String verdict() {
        if (chain.isEmpty()) {
            return "NONE";
        }
        return error == null ? "SUCCESS" : "FAILED:" + error.text;
    }

    /**
     * Plain JDK certificates (the OpenSSL engine hands out lazily parsed wrappers), without a
     * repeat of the client's own certificate, which engines differ on including.
     */
    private static List<X509Certificate> chain(SSLSession session) {
        if (session == null) {
            return List.of();
        }
        Certificate[] sent;
        try {
            sent = session.getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            return List.of();
        }
        List<X509Certificate> out = new ArrayList<>(sent.length);
        try {
            CertificateFactory f = CertificateFactory.getInstance("X.509");
            for (int i = 0; i < sent.length; i++) {
                byte[] der = sent[i].getEncoded();
                if (i > 0 && Arrays.equals(der, sent[0].getEncoded())) {
                    continue;
                }
                out.add((X509Certificate) f.generateCertificate(new ByteArrayInputStream(der)));
            }
        } catch (CertificateException e) {
            // a certificate the engine accepted but the JDK cannot read: as nginx with no certificate to show
            return List.of();
        }
        return List.copyOf(out);
    }
}
