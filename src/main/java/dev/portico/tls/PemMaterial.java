package dev.portico.tls;

import dev.portico.config.ConfigException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.operator.InputDecryptorProvider;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Certificates and private keys in PEM, as nginx reads them: a file (relative to the
 * configuration's directory) or a {@code data:} value, a certificate followed by its chain, and
 * keys in any of OpenSSL's forms (PKCS#8, PKCS#1 RSA, SEC1 EC, encrypted with a password from
 * {@code ssl_password_file}, each password tried in turn).
 */
final class PemMaterial {
    /** OpenSSL's key derivation for encrypted PEM lives in BouncyCastle's provider; used here only, never installed. */
    private static final java.security.Provider BC = new org.bouncycastle.jce.provider.BouncyCastleProvider();

    private PemMaterial() {
    }

    /** The text of a {@code ssl_certificate}-style value: inline after {@code data:}, else the file's content. */
    static String read(String value, Path confDir, String what) throws ConfigException {
        if (value.startsWith("data:")) {
            return value.substring(5);
        }
        Path p = confDir.resolve(value).normalize();
        try {
            return Files.readString(p, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new ConfigException("cannot load " + what + " \"" + p + "\": BIO_new_file() failed ("
                + dev.portico.observability.Errno.of(e) + ")");
        }
    }

    /** The certificate and its chain, leaf first. */
    static X509Certificate[] certificates(String pem, String name) throws ConfigException {
        List<X509Certificate> out = new ArrayList<>();
        try {
            CertificateFactory f = CertificateFactory.getInstance("X.509");
            for (java.security.cert.Certificate c : f.generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.ISO_8859_1)))) {
                out.add((X509Certificate) c);
            }
        } catch (CertificateException e) {
            throw new ConfigException("cannot load certificate \"" + name + "\": PEM_read_bio_X509_AUX() failed (" + e.getMessage() + ")");
        }
        if (out.isEmpty()) {
            throw new ConfigException("cannot load certificate \"" + name + "\": PEM_read_bio_X509_AUX() failed (no certificate)");
        }
        return out.toArray(new X509Certificate[0]);
    }

    /** The private key; {@code passwords} are tried in order when it is encrypted. */
    static PrivateKey privateKey(String pem, String name, List<String> passwords) throws ConfigException {
        Object o;
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            do {
                o = parser.readObject();
            } while (o != null && !(o instanceof PEMKeyPair || o instanceof PrivateKeyInfo
                || o instanceof PEMEncryptedKeyPair || o instanceof PKCS8EncryptedPrivateKeyInfo));
        } catch (IOException e) {
            throw keyError(name, e.getMessage());
        }
        if (o == null) {
            throw keyError(name, "no private key");
        }
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        try {
            if (o instanceof PEMKeyPair kp) {
                // an EC key written without its public half has only the private part to convert
                return converter.getPrivateKey(kp.getPrivateKeyInfo());
            }
            if (o instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
        } catch (IOException e) {
            throw keyError(name, e.getMessage());
        }
        if (passwords.isEmpty()) {
            throw keyError(name, "the key is encrypted and no \"ssl_password_file\" is given");
        }
        for (String password : passwords) {
            try {
                if (o instanceof PEMEncryptedKeyPair ekp) {
                    return converter.getPrivateKey(ekp.decryptKeyPair(new JcePEMDecryptorProviderBuilder().setProvider(BC)
                        .build(password.toCharArray())).getPrivateKeyInfo());
                }
                InputDecryptorProvider d = new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(BC).build(password.toCharArray());
                return converter.getPrivateKey(((PKCS8EncryptedPrivateKeyInfo) o).decryptPrivateKeyInfo(d));
            } catch (Exception wrongPassword) {
                // the next password
            }
        }
        throw keyError(name, "bad password read");
    }

    private static ConfigException keyError(String name, String why) {
        return new ConfigException("cannot load certificate key \"" + name + "\": PEM_read_bio_PrivateKey() failed (" + why + ")");
    }

    /** {@code ssl_password_file}: one password per line. */
    static List<String> passwords(Path file) throws ConfigException {
        try {
            List<String> out = new ArrayList<>();
            for (String line : Files.readAllLines(file, StandardCharsets.ISO_8859_1)) {
                String p = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
                if (!p.isEmpty()) {
                    out.add(p);
                }
            }
            if (out.isEmpty()) {
                throw new ConfigException("empty file \"" + file + "\"");
            }
            return out;
        } catch (IOException e) {
            throw new ConfigException("cannot open \"" + file + "\" (" + dev.portico.observability.Errno.of(e) + ")");
        }
    }
}
