package dev.portico.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** X509_check_host as nginx calls it (no flags), on certificates with the given names. */
class HostMatcherTest {
    private static final KeyPair KEYS;

    static {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(256);
            KEYS = g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A certificate with the common name and the alternative names ("dns:x", "ip:1.2.3.4"; "-" for none). */
    private static X509Certificate cert(String cn, String alt) throws Exception {
        X500Name name = new X500Name("CN=" + cn);
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, BigInteger.ONE, new Date(0),
            new Date(System.currentTimeMillis() + 86_400_000L), name, KEYS.getPublic());
        if (!alt.equals("-")) {
            String[] parts = alt.split(" ");
            GeneralName[] names = new GeneralName[parts.length];
            for (int i = 0; i < parts.length; i++) {
                names[i] = parts[i].startsWith("ip:") ? new GeneralName(GeneralName.iPAddress, parts[i].substring(3))
                    : new GeneralName(GeneralName.dNSName, parts[i].substring(4));
            }
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
        }
        return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(KEYS.getPrivate())));
    }

    @ParameterizedTest(name = "{0} / {1} / {2} -> {3}")
    @CsvSource({
        "cn.test, dns:a.example.com, a.example.com, true",
        "cn.test, dns:a.example.com, A.Example.COM, true",
        "cn.test, dns:a.example.com, b.example.com, false",
        "cn.test, dns:*.example.com, a.example.com, true",
        "cn.test, dns:*.example.com, a.b.example.com, false",
        "cn.test, dns:*.example.com, example.com, false",
        "cn.test, dns:*.example.com, xn--bcher-kva.example.com, true",
        "cn.test, dns:www*.example.com, www1.example.com, true",
        "cn.test, dns:www*.example.com, www.example.com, true",
        "cn.test, dns:f*.example.com, xn--f.example.com, false",
        "cn.test, dns:*.com, a.com, false",
        "cn.test, dns:a*b.example.com, axb.example.com, false",
        "cn.test, dns:xn--*.example.com, xn--a.example.com, false",
        "cn.test, dns:a.example.com, cn.test, false",
        "cn.test, -, cn.test, true",
        "*.cn.test, -, x.cn.test, true",
        "10.0.0.1, ip:10.0.0.1, 10.0.0.1, true",
        "cn.test, dns:backend.test ip:127.0.0.1, 127.0.0.1, false",
        "cn.test, dns:backend.test, '', false",
    })
    void matchesAsOpenSsl(String cn, String alt, String name, boolean expected) throws Exception {
        assertThat(HostMatcher.matches(cert(cn, alt), name)).isEqualTo(expected);
    }
}
