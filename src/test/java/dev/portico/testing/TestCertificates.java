package dev.portico.testing;

import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMEncryptorBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates made for a test run with BouncyCastle: a CA, and server certificates it signs
 * (RSA or ECDSA) for given names, written as the PEM files nginx reads. Nothing here is ever
 * checked in.
 */
public final class TestCertificates {
    private static final AtomicLong SERIALS = new AtomicLong(System.currentTimeMillis());

    /** A key and its certificate chain (leaf, then the CA). */
    public record Issued(PrivateKey key, X509Certificate cert, X509Certificate ca) {
        /** The leaf then the CA, as an ssl_certificate file holds a chain. */
        public String chainPem() {
            return pem(cert) + pem(ca);
        }

        public String certPem() {
            return pem(cert);
        }

        /** PKCS#8, unencrypted ("BEGIN PRIVATE KEY"), as {@code openssl genpkey} writes it. */
        public String keyPem() {
            try {
                return pem(new JcaPKCS8Generator(key, null).generate());
            } catch (org.bouncycastle.util.io.pem.PemGenerationException e) {
                throw new IllegalStateException(e);
            }
        }

        /** The traditional OpenSSL form ("BEGIN RSA PRIVATE KEY" / "BEGIN EC PRIVATE KEY"), encrypted with AES when a password is given. */
        public String traditionalKeyPem(String password) {
            try (StringWriter w = new StringWriter(); JcaPEMWriter p = new JcaPEMWriter(w)) {
                if (password == null && key.getAlgorithm().equals("EC")) {
                    p.writeObject(sec1(key));
                } else if (password == null) {
                    p.writeObject(new org.bouncycastle.openssl.jcajce.JcaMiscPEMGenerator(key));
                } else {
                    p.writeObject(key, new JcePEMEncryptorBuilder("AES-128-CBC").setProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider())
                        .build(password.toCharArray()));
                }
                p.flush();
                return w.toString();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        /** SEC1 with the curve named inside, as {@code openssl ecparam -genkey} writes it. */
        private static org.bouncycastle.util.io.pem.PemObject sec1(PrivateKey key) throws java.io.IOException {
            org.bouncycastle.asn1.pkcs.PrivateKeyInfo info = org.bouncycastle.asn1.pkcs.PrivateKeyInfo.getInstance(key.getEncoded());
            org.bouncycastle.asn1.sec.ECPrivateKey inner = org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(info.parsePrivateKey());
            org.bouncycastle.asn1.sec.ECPrivateKey full = new org.bouncycastle.asn1.sec.ECPrivateKey(256, inner.getKey(),
                inner.getPublicKey(), info.getPrivateKeyAlgorithm().getParameters());
            return new org.bouncycastle.util.io.pem.PemObject("EC PRIVATE KEY", full.getEncoded());
        }

        /** PKCS#8 encrypted ("BEGIN ENCRYPTED PRIVATE KEY"). */
        public String encryptedPkcs8(String password) {
            try (StringWriter w = new StringWriter(); JcaPEMWriter p = new JcaPEMWriter(w)) {
                p.writeObject(new JcaPKCS8Generator(key, new JceOpenSSLPKCS8EncryptorBuilder(
                    org.bouncycastle.openssl.PKCS8Generator.AES_256_CBC).setProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider())
                    .setPassword(password.toCharArray()).build()));
                p.flush();
                return w.toString();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        public String commonName() {
            return cert.getSubjectX500Principal().getName();
        }
    }

    private final KeyPair caKeys;
    private final X509Certificate ca;

    public TestCertificates() {
        this(null, null);
    }

    /** A CA signed by {@code parentKeys}/{@code parent}; self-signed (a root) when they are null. */
    private TestCertificates(KeyPair parentKeys, X509Certificate parent) {
        try {
            caKeys = rsa();
            X500Name name = new X500Name("CN=Portico Test CA " + SERIALS.incrementAndGet());
            X500Name issuer = parent == null ? name : new X500Name(parent.getSubjectX500Principal().getName());
            JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIALS.incrementAndGet()),
                new Date(System.currentTimeMillis() - 3_600_000), new Date(System.currentTimeMillis() + 86_400_000L), name,
                caKeys.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            ca = new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withRSA")
                .build(parentKeys == null ? caKeys.getPrivate() : parentKeys.getPrivate())));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** An intermediate CA signed by this one: what it issues chains through it ({@link Issued#ca()} is the intermediate). */
    public TestCertificates intermediate() {
        return new TestCertificates(caKeys, ca);
    }

    /** A CRL of this CA, valid now, listing {@code revoked}. */
    public String crlPem(X509Certificate... revoked) {
        try {
            Date now = new Date();
            org.bouncycastle.cert.X509v2CRLBuilder b = new org.bouncycastle.cert.X509v2CRLBuilder(
                new X500Name(ca.getSubjectX500Principal().getName()), new Date(now.getTime() - 60_000));
            b.setNextUpdate(new Date(now.getTime() + 86_400_000L));
            for (X509Certificate r : revoked) {
                b.addCRLEntry(r.getSerialNumber(), now, org.bouncycastle.asn1.x509.CRLReason.keyCompromise);
            }
            return pem(new org.bouncycastle.cert.jcajce.JcaX509CRLConverter().getCRL(
                b.build(new JcaContentSignerBuilder("SHA256withRSA").build(caKeys.getPrivate()))));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** This CA's certificate in PEM (a trusted-certificate file). */
    public String caPem() {
        return pem(ca);
    }

    public X509Certificate ca() {
        return ca;
    }

    /** An RSA server certificate for the names (the first is the CN; all are subject alternative names). */
    public Issued rsa(String... names) {
        return issue(rsaKeys(), names);
    }

    /** An ECDSA (P-256) server certificate for the names. */
    public Issued ecdsa(String... names) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return issue(g.generateKeyPair(), names);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private Issued issue(KeyPair keys, String... names) {
        try {
            JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                new X500Name(ca.getSubjectX500Principal().getName()), BigInteger.valueOf(SERIALS.incrementAndGet()),
                new Date(System.currentTimeMillis() - 3_600_000), new Date(System.currentTimeMillis() + 86_400_000L),
                new X500Name("CN=" + names[0]), keys.getPublic());
            GeneralName[] alt = new GeneralName[names.length];
            for (int i = 0; i < names.length; i++) {
                alt[i] = names[i].matches("[0-9.]+") ? new GeneralName(GeneralName.iPAddress, names[i])
                    : new GeneralName(GeneralName.dNSName, names[i]);
            }
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(alt));
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withRSA").build(caKeys.getPrivate())));
            return new Issued(keys.getPrivate(), cert, ca);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A client TLS context that trusts this CA only. */
    public SSLContext clientContext() {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setCertificateEntry("ca", ca);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext c = SSLContext.getInstance("TLS");
            c.init(null, tmf.getTrustManagers(), new SecureRandom());
            return c;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String pem(Object o) {
        try (StringWriter w = new StringWriter(); JcaPEMWriter p = new JcaPEMWriter(w)) {
            p.writeObject(o);
            p.flush();
            return w.toString();
        } catch (java.io.IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static KeyPair rsa() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return g.generateKeyPair();
    }

    private static KeyPair rsaKeys() {
        try {
            return rsa();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
