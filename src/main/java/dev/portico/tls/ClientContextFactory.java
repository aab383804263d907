package dev.portico.tls;

import dev.portico.config.ConfigException;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.CRL;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the SSL context for backends from {@link ClientTlsMaterial}: protocols, ciphers, the
 * client certificate, and a {@link BackendTrust} that checks chains when verification is on.
 * The engine's own host name check is off: the name is checked as nginx checks it.
 */
final class ClientContextFactory {
    private ClientContextFactory() {
    }

    static SslContext build(ClientTlsMaterial m, SslProvider provider) throws ConfigException {
        ChainVerifier verifier = null;
        if (m.verify()) {
            verifier = new ChainVerifier(trusted(m), m.crl() == null ? null : crls(m), m.depth(), ChainVerifier.SERVER_AUTH);
        }
        SslContextBuilder b = SslContextBuilder.forClient()
            .sslProvider(provider)
            .protocols(ContextFactory.protocols(m.protocols(), "proxy_ssl_protocols"))
            .trustManager(new BackendTrust(verifier))
            .endpointIdentificationAlgorithm(null);
        if (m.certificate() != null) {
            X509Certificate[] chain = PemMaterial.certificates(m.certificate(), m.certificateName());
            PrivateKey key = PemMaterial.privateKey(m.key(), m.keyName(), m.passwords());
            b.keyManager(ContextFactory.keyManagers(chain, key, m.certificateName(), m.keyName()));
        }
        if (provider == SslProvider.JDK) {
            List<String> ciphers = CipherList.forJdk(m.ciphers());
            if (ciphers != null) {
                b.ciphers(ciphers, SupportedCipherSuiteFilter.INSTANCE);
            }
        } else {
            b.ciphers(CipherList.forOpenSsl(m.ciphers()));
        }
        try {
            return b.build();
        } catch (javax.net.ssl.SSLException | IllegalArgumentException e) {
            throw new ConfigException("SSL_CTX_new() failed (" + e.getMessage() + ")");
        }
    }

    /**
     * The JDK's own SSL context with the same trust and client certificate, for blocking sockets
     * on a checker thread (health checks); the engine choice does not matter there.
     */
    static javax.net.ssl.SSLContext blocking(ClientTlsMaterial m) throws ConfigException {
        ChainVerifier verifier = m.verify()
            ? new ChainVerifier(trusted(m), m.crl() == null ? null : crls(m), m.depth(), ChainVerifier.SERVER_AUTH) : null;
        try {
            javax.net.ssl.KeyManager[] keys = null;
            if (m.certificate() != null) {
                X509Certificate[] chain = PemMaterial.certificates(m.certificate(), m.certificateName());
                PrivateKey key = PemMaterial.privateKey(m.key(), m.keyName(), m.passwords());
                keys = ContextFactory.keyManagers(chain, key, m.certificateName(), m.keyName()).getKeyManagers();
            }
            javax.net.ssl.SSLContext c = javax.net.ssl.SSLContext.getInstance("TLS");
            c.init(keys, new javax.net.ssl.TrustManager[] {new BackendTrust(verifier)}, null);
            return c;
        } catch (java.security.GeneralSecurityException e) {
            throw new ConfigException("SSL_CTX_new() failed (" + e.getMessage() + ")");
        }
    }

    private static List<X509Certificate> trusted(ClientTlsMaterial m) throws ConfigException {
        List<X509Certificate> out = new ArrayList<>();
        if (!m.trusted().contains("-----BEGIN CERTIFICATE-----")) {
            throw new ConfigException("SSL_CTX_load_verify_locations(\"" + m.trustedName() + "\") failed (no certificate or crl found)");
        }
        try {
            for (Certificate c : factory().generateCertificates(stream(m.trusted()))) {
                out.add((X509Certificate) c);
            }
        } catch (CertificateException e) {
            throw new ConfigException("SSL_CTX_load_verify_locations(\"" + m.trustedName() + "\") failed (" + e.getMessage() + ")");
        }
        return out;
    }

    private static List<X509CRL> crls(ClientTlsMaterial m) throws ConfigException {
        List<X509CRL> out = new ArrayList<>();
        if (!m.crl().contains("-----BEGIN X509 CRL-----")) {
            throw new ConfigException("X509_LOOKUP_load_file(\"" + m.crlName() + "\") failed (no certificate or crl found)");
        }
        try {
            for (CRL c : factory().generateCRLs(stream(m.crl()))) {
                out.add((X509CRL) c);
            }
        } catch (java.security.cert.CRLException | CertificateException e) {
            throw new ConfigException("X509_LOOKUP_load_file(\"" + m.crlName() + "\") failed (" + e.getMessage() + ")");
        }
        return out;
    }

    private static CertificateFactory factory() throws CertificateException {
        return CertificateFactory.getInstance("X.509");
    }

    private static ByteArrayInputStream stream(String pem) {
        return new ByteArrayInputStream(pem.getBytes(StandardCharsets.ISO_8859_1));
    }
}
