package dev.portico.tls;

import dev.portico.config.ConfigException;
import dev.portico.config.directive.Settings;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A server's client-certificate settings with their files already read: part of its
 * {@link TlsMaterial}, so a changed CA list builds a new SSL context. With verification off
 * it is {@link #OFF} whatever else is set, so that those files alone do not churn contexts.
 *
 * <p>As with OpenSSL's store, each file may hold certificates and CRLs: every certificate of
 * the three files is trusted, every CRL is consulted, and CRLs are checked only when
 * {@code ssl_crl} is set; only {@code ssl_client_certificate}'s certificates are named to clients.
 */
record ClientAuthSettings(VerifyMode mode, String clientCas, String trusted, String crl, int depth) {
    static final ClientAuthSettings OFF = new ClientAuthSettings(VerifyMode.OFF, null, null, null, 1);

    private static final Pattern BLOCK = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);

    /** The certificates and CRLs of one PEM file. */
    private record Bundle(List<X509Certificate> certificates, List<X509CRL> crls) {
    }

    /**
     * As nginx reads them: the CA list only when verification is on, the trusted certificates and
     * CRLs whenever they are set (a missing or empty file is an error either way).
     */
    static ClientAuthSettings read(Settings s, Path confDir) throws ConfigException {
        VerifyMode mode = s.get(TlsModule.VERIFY_CLIENT);
        String trusted = load(s.get(TlsModule.TRUSTED_CERTIFICATE), confDir, "SSL_CTX_load_verify_locations");
        String crl = load(s.get(TlsModule.CRL), confDir, "X509_LOOKUP_load_file");
        if (mode == VerifyMode.OFF) {
            return OFF;
        }
        String cas = load(s.get(TlsModule.CLIENT_CERTIFICATE), confDir, "SSL_CTX_load_verify_locations");
        if (cas != null && bundle(cas).certificates().isEmpty()) {
            throw new ConfigException("SSL_load_client_CA_file(\"" + confDir.resolve(s.get(TlsModule.CLIENT_CERTIFICATE)).normalize()
                + "\") failed (no certificate found)");
        }
        if (cas == null && trusted == null && mode != VerifyMode.OPTIONAL_NO_CA) {
            throw new ConfigException("no ssl_client_certificate or ssl_trusted_certificate for ssl_verify_client");
        }
        return new ClientAuthSettings(mode, cas, trusted, crl, s.get(TlsModule.VERIFY_DEPTH));
    }

    /**
     * The certificates of the SSL context's store as nginx fills it: {@code ssl_trusted_certificate}'s
     * always, {@code ssl_client_certificate}'s while client verification is on. OCSP stapling looks
     * for a certificate's issuer there and verifies responders against it.
     */
    static List<X509Certificate> store(Settings s, Path confDir) throws ConfigException {
        List<X509Certificate> out = new ArrayList<>();
        String trusted = load(s.get(TlsModule.TRUSTED_CERTIFICATE), confDir, "SSL_CTX_load_verify_locations");
        if (trusted != null) {
            out.addAll(bundle(trusted).certificates());
        }
        if (s.get(TlsModule.VERIFY_CLIENT) != VerifyMode.OFF) {
            String cas = load(s.get(TlsModule.CLIENT_CERTIFICATE), confDir, "SSL_CTX_load_verify_locations");
            if (cas != null) {
                out.addAll(bundle(cas).certificates());
            }
        }
        return List.copyOf(out);
    }

    /** The CAs named to the client in the CertificateRequest ({@code ssl_client_certificate}). */
    List<X509Certificate> requestedIssuers() {
        return clientCas == null ? List.of() : parsed(clientCas).certificates();
    }

    /** The verifier of this server's client certificates; null when verification is off. */
    ChainVerifier verifier() {
        if (mode == VerifyMode.OFF) {
            return null;
        }
        List<X509Certificate> anchors = new ArrayList<>();
        List<X509CRL> crls = new ArrayList<>();
        for (String text : new String[] {clientCas, trusted, crl}) {
            if (text != null) {
                Bundle b = parsed(text);
                anchors.addAll(b.certificates());
                crls.addAll(b.crls());
            }
        }
        return new ChainVerifier(anchors, crl == null ? null : crls, depth, ChainVerifier.CLIENT_AUTH);
    }

    /** Text that {@link #read} parsed already. */
    private static Bundle parsed(String text) {
        try {
            return bundle(text);
        } catch (ConfigException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A file's text, checked to hold at least one certificate or CRL, all readable; null when not set. */
    private static String load(String value, Path confDir, String call) throws ConfigException {
        if (value == null) {
            return null;
        }
        // relative to the configuration's directory, as nginx's ngx_conf_full_name
        Path p = confDir.resolve(value).normalize();
        String text;
        try {
            text = Files.readString(p, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new ConfigException(call + "(\"" + p + "\") failed (" + dev.portico.observability.Errno.of(e) + ")");
        }
        try {
            Bundle b = bundle(text);
            if (b.certificates().isEmpty() && b.crls().isEmpty()) {
                throw new ConfigException("no certificate or crl found");
            }
        } catch (ConfigException e) {
            throw new ConfigException(call + "(\"" + p + "\") failed (" + e.bareMessage() + ")");
        }
        return text;
    }

    /** The PEM blocks of certificates and CRLs; other blocks (keys) are passed over, as OpenSSL does. */
    private static Bundle bundle(String text) throws ConfigException {
        List<X509Certificate> certs = new ArrayList<>();
        List<X509CRL> crls = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        try {
            CertificateFactory f = CertificateFactory.getInstance("X.509");
            while (m.find()) {
                boolean cert = m.group(1).equals("CERTIFICATE") || m.group(1).equals("X509 CERTIFICATE");
                boolean crl = m.group(1).equals("X509 CRL");
                if (!cert && !crl) {
                    continue;
                }
                byte[] der = Base64.getMimeDecoder().decode(m.group(2).trim());
                if (cert) {
                    certs.add((X509Certificate) f.generateCertificate(new ByteArrayInputStream(der)));
                } else {
                    crls.add((X509CRL) f.generateCRL(new ByteArrayInputStream(der)));
                }
            }
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        return new Bundle(List.copyOf(certs), List.copyOf(crls));
    }
}
