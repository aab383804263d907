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
import java.net.Socket;
import java.security.Principal;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMEncryptorBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates made for a test run with BouncyCastle: a CA (or an intermediate CA under it),
 * server certificates it signs (RSA or ECDSA) for given names, client certificates, CRLs, all
 * written as the PEM files nginx reads; and client TLS contexts that present a client
 * certificate whatever the server asks for. Nothing here is ever checked in.
 */
public final class TestCertificates {
    private static final AtomicLong SERIALS = new AtomicLong(System.currentTimeMillis());

    /**
     * A key and its certificate chain: the leaf, the CA that signed it, and the CAs above that
     * one up to the root ({@code above}, empty when {@code ca} is the root).
     */
    public record Issued(PrivateKey key, X509Certificate cert, X509Certificate ca, List<X509Certificate> above) {
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
    /** The CAs above this one, nearest first (empty for a root). */
    private final List<X509Certificate> above;

    /** A new root CA. */
    public TestCertificates() {
        try {
            caKeys = rsa();
            X500Name name = new X500Name("CN=Portico Test CA " + SERIALS.get());
            JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(SERIALS.incrementAndGet()),
                new Date(System.currentTimeMillis() - 3_600_000), new Date(System.currentTimeMillis() + 86_400_000L), name,
                caKeys.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            ca = new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withRSA").build(caKeys.getPrivate())));
            above = List.of();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private TestCertificates(KeyPair caKeys, X509Certificate ca, List<X509Certificate> above) {
        this.caKeys = caKeys;
        this.ca = ca;
        this.above = above;
    }

    public X509Certificate ca() {
        return ca;
    }

    /** This CA's certificate in PEM (for ssl_client_certificate and the like). */
    public String caPem() {
        return pem(ca);
    }

    /** An intermediate CA signed by this one, with a name of its own. */
    public TestCertificates intermediate() {
        return intermediate("Portico Test Intermediate " + SERIALS.incrementAndGet());
    }

    /** A CRL of this CA, current now, listing {@code revoked}. */
    public String crlPem(X509Certificate... revoked) {
        return crl(revoked);
    }

    /** A CA signed by this one. */
    public TestCertificates intermediate(String name) {
        try {
            KeyPair keys = rsa();
            JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                new X500Name(ca.getSubjectX500Principal().getName()), BigInteger.valueOf(SERIALS.incrementAndGet()),
                new Date(System.currentTimeMillis() - 3_600_000), new Date(System.currentTimeMillis() + 86_400_000L),
                new X500Name("CN=" + name), keys.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withRSA").build(caKeys.getPrivate())));
            List<X509Certificate> up = new ArrayList<>();
            up.add(ca);
            up.addAll(above);
            return new TestCertificates(keys, cert, List.copyOf(up));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** This CA's own (self-signed, for a root) certificate and key, to present as a client certificate. */
    public Issued self() {
        return new Issued(caKeys.getPrivate(), ca, above.isEmpty() ? ca : above.get(0),
            above.isEmpty() ? List.of() : above.subList(1, above.size()));
    }

    /** A client certificate (ECDSA, for TLS client authentication) named CN=cn, valid from an hour ago for a day. */
    public Issued client(String cn) {
        return client(new X500Name("CN=" + cn), new Date(System.currentTimeMillis() - 3_600_000),
            new Date(System.currentTimeMillis() + 86_400_000L));
    }

    /** A client certificate with the given subject and validity. */
    public Issued client(X500Name subject, Date notBefore, Date notAfter) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair keys = g.generateKeyPair();
            JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                new X500Name(ca.getSubjectX500Principal().getName()), BigInteger.valueOf(SERIALS.incrementAndGet()),
                notBefore, notAfter, subject, keys.getPublic());
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withRSA").build(caKeys.getPrivate())));
            return new Issued(keys.getPrivate(), cert, ca, above);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A CRL of this CA revoking the certificates, current from an hour ago for a day. */
    public String crl(X509Certificate... revoked) {
        return crl(new Date(System.currentTimeMillis() - 3_600_000), new Date(System.currentTimeMillis() + 86_400_000L), revoked);
    }

    public String crl(Date thisUpdate, Date nextUpdate, X509Certificate... revoked) {
        try {
            X509v2CRLBuilder b = new X509v2CRLBuilder(new X500Name(ca.getSubjectX500Principal().getName()), thisUpdate);
            b.setNextUpdate(nextUpdate);
            for (X509Certificate c : revoked) {
                b.addCRLEntry(c.getSerialNumber(), thisUpdate, CRLReason.keyCompromise);
            }
            X509CRLHolder h = b.build(new JcaContentSignerBuilder("SHA256withRSA").build(caKeys.getPrivate()));
            return pem(new JcaX509CRLConverter().getCRL(h));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** An RSA server certificate for the names (the first is the CN; all are subject alternative names). */
    public Issued rsa(String... names) {
        return issue(rsaKeys(), null, names);
    }

    /** An RSA server certificate whose Authority Information Access names {@code ocspUrl} as its OCSP responder. */
    public Issued rsaWithOcsp(String ocspUrl, String... names) {
        return issue(rsaKeys(), ocspUrl, names);
    }

    /** A delegated OCSP responder of this CA (extended key usage OCSPSigning), named CN=cn. */
    public Issued ocspResponder(String cn) {
        try {
            KeyPair keys = rsaKeys();
            JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                new X500Name(ca.getSubjectX500Principal().getName()), BigInteger.valueOf(SERIALS.incrementAndGet()),
                new Date(System.currentTimeMillis() - 3_600_000), new Date(System.currentTimeMillis() + 86_400_000L),
                new X500Name("CN=" + cn), keys.getPublic());
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_OCSPSigning));
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withRSA").build(caKeys.getPrivate())));
            return new Issued(keys.getPrivate(), cert, ca, above);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** This CA's private key (to sign OCSP responses as the issuer). */
    public PrivateKey key() {
        return caKeys.getPrivate();
    }

    /** An ECDSA (P-256) server certificate for the names. */
    public Issued ecdsa(String... names) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return issue(g.generateKeyPair(), null, names);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private Issued issue(KeyPair keys, String ocspUrl, String... names) {
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
            if (ocspUrl != null) {
                b.addExtension(Extension.authorityInfoAccess, false, new org.bouncycastle.asn1.x509.AuthorityInformationAccess(
                    org.bouncycastle.asn1.x509.AccessDescription.id_ad_ocsp, new GeneralName(GeneralName.uniformResourceIdentifier, ocspUrl)));
            }
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withRSA").build(caKeys.getPrivate())));
            return new Issued(keys.getPrivate(), cert, ca, above);
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

    /**
     * A client TLS context that trusts this CA and presents {@code client} (with its CA unless
     * that is a root) whatever CAs the server names; the names it offered are added to
     * {@code offered} when given.
     */
    public SSLContext clientContext(Issued client, List<X500Principal> offered) {
        List<X509Certificate> chain = new ArrayList<>();
        chain.add(client.cert());
        if (!client.ca().equals(client.cert()) && !client.ca().getSubjectX500Principal().equals(client.ca().getIssuerX500Principal())) {
            chain.add(client.ca());
        }
        return clientContext(client.key(), chain, offered);
    }

    public SSLContext clientContext(Issued client) {
        return clientContext(client, null);
    }

    /** A client TLS context presenting exactly {@code chain} with {@code key}. */
    public SSLContext clientContext(PrivateKey key, List<X509Certificate> chain, List<X500Principal> offered) {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setCertificateEntry("ca", ca);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext c = SSLContext.getInstance("TLS");
            c.init(new KeyManager[] {new AlwaysPresent(key, chain.toArray(new X509Certificate[0]), offered)},
                tmf.getTrustManagers(), new SecureRandom());
            return c;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A key manager that sends its one certificate to any server that asks, recording the CAs the server named. */
    private static final class AlwaysPresent extends X509ExtendedKeyManager {
        private final PrivateKey key;
        private final X509Certificate[] chain;
        private final List<X500Principal> offered;

        AlwaysPresent(PrivateKey key, X509Certificate[] chain, List<X500Principal> offered) {
            this.key = key;
            this.chain = chain;
            this.offered = offered;
        }

        private String choose(Principal[] issuers) {
            if (offered != null) {
                synchronized (offered) {
                    offered.clear();
                    for (Principal p : issuers == null ? new Principal[0] : issuers) {
                        offered.add(p instanceof X500Principal x ? x : new X500Principal(p.getName()));
                    }
                }
            }
            return "client";
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return choose(issuers);
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return choose(issuers);
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return chain.clone();
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return key;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return new String[] {"client"};
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return new String[0];
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }
    }

    public static String pem(Object o) {
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
