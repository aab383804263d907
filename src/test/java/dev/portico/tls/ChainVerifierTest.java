package dev.portico.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.TestCertificates;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The OpenSSL verify results nginx logs for backends' chains, as the verifier gives them. */
class ChainVerifierTest {
    private static final TestCertificates ROOT = new TestCertificates();
    private static final TestCertificates INTERMEDIATE = ROOT.intermediate();
    private static final TestCertificates OTHER = new TestCertificates();

    private static ChainVerifier.Result verify(List<X509Certificate> trusted, int depth, X509Certificate... presented) {
        return new ChainVerifier(trusted, depth, null).verify(presented, new Date());
    }

    @Test
    void aLeafOfATrustedRootVerifies() {
        TestCertificates.Issued leaf = ROOT.rsa("a.test");
        assertThat(verify(List.of(ROOT.ca()), 1, leaf.cert()).ok()).isTrue();
        assertThat(verify(List.of(ROOT.ca()), 0, leaf.cert(), ROOT.ca()).ok()).isTrue();
    }

    @Test
    void theDepthCountsIntermediates() {
        TestCertificates.Issued leaf = INTERMEDIATE.rsa("a.test");
        assertThat(verify(List.of(ROOT.ca()), 1, leaf.cert(), INTERMEDIATE.ca()).ok()).isTrue();
        assertThat(verify(List.of(ROOT.ca()), 0, leaf.cert(), INTERMEDIATE.ca()))
            .isEqualTo(new ChainVerifier.Result(20, "unable to get local issuer certificate"));
        // the intermediate may come from the trusted file instead of the backend
        assertThat(verify(List.of(ROOT.ca(), INTERMEDIATE.ca()), 1, leaf.cert()).ok()).isTrue();
    }

    @Test
    void untrustedChainsGetOpenSslsCodes() {
        TestCertificates.Issued foreign = OTHER.rsa("a.test");
        assertThat(verify(List.of(ROOT.ca()), 1, foreign.cert(), OTHER.ca()).code()).isEqualTo(19);
        // the leaf alone: 20 while building, then 21 when its signature cannot be checked
        assertThat(verify(List.of(ROOT.ca()), 1, foreign.cert()))
            .isEqualTo(new ChainVerifier.Result(21, "unable to verify the first certificate"));
        assertThat(verify(List.of(ROOT.ca()), 1, OTHER.ca())).isEqualTo(new ChainVerifier.Result(18, "self-signed certificate"));
        // a trusted intermediate is no anchor without its root (no partial chains)
        TestCertificates.Issued leaf = INTERMEDIATE.rsa("a.test");
        assertThat(verify(List.of(INTERMEDIATE.ca()), 1, leaf.cert(), INTERMEDIATE.ca()))
            .isEqualTo(new ChainVerifier.Result(2, "unable to get issuer certificate"));
    }

    @Test
    void aTrustedSelfSignedCertificateVerifiesItself() {
        assertThat(verify(List.of(ROOT.ca()), 1, ROOT.ca()).ok()).isTrue();
    }

    @Test
    void revocationNeedsACrlForEveryCertificateOfTheChain() {
        TestCertificates.Issued leaf = INTERMEDIATE.rsa("a.test");
        java.util.List<java.security.cert.X509CRL> rootOnly = crls(ROOT.crlPem());
        assertThat(new ChainVerifier(List.of(ROOT.ca()), 1, rootOnly).verify(new X509Certificate[] {leaf.cert(), INTERMEDIATE.ca()}, new Date()))
            .isEqualTo(new ChainVerifier.Result(3, "unable to get certificate CRL"));
        java.util.List<java.security.cert.X509CRL> both = crls(ROOT.crlPem() + INTERMEDIATE.crlPem(leaf.cert()));
        assertThat(new ChainVerifier(List.of(ROOT.ca()), 1, both).verify(new X509Certificate[] {leaf.cert(), INTERMEDIATE.ca()}, new Date()))
            .isEqualTo(new ChainVerifier.Result(23, "certificate revoked"));
        java.util.List<java.security.cert.X509CRL> clean = crls(ROOT.crlPem() + INTERMEDIATE.crlPem());
        assertThat(new ChainVerifier(List.of(ROOT.ca()), 1, clean).verify(new X509Certificate[] {leaf.cert(), INTERMEDIATE.ca()}, new Date()).ok())
            .isTrue();
    }

    @Test
    void validityIsCheckedAtTheGivenTime() {
        TestCertificates.Issued leaf = ROOT.rsa("a.test");
        Date later = new Date(System.currentTimeMillis() + 2 * 86_400_000L);
        assertThat(new ChainVerifier(List.of(ROOT.ca()), 1, null).verify(new X509Certificate[] {leaf.cert()}, later))
            .isEqualTo(new ChainVerifier.Result(10, "certificate has expired"));
        Date earlier = new Date(System.currentTimeMillis() - 2 * 86_400_000L);
        assertThat(new ChainVerifier(List.of(ROOT.ca()), 1, null).verify(new X509Certificate[] {leaf.cert()}, earlier))
            .isEqualTo(new ChainVerifier.Result(9, "certificate is not yet valid"));
    }

    private static java.util.List<java.security.cert.X509CRL> crls(String pem) {
        try {
            java.util.List<java.security.cert.X509CRL> out = new java.util.ArrayList<>();
            for (java.security.cert.CRL c : java.security.cert.CertificateFactory.getInstance("X.509")
                .generateCRLs(new java.io.ByteArrayInputStream(pem.getBytes(java.nio.charset.StandardCharsets.US_ASCII)))) {
                out.add((java.security.cert.X509CRL) c);
            }
            return out;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
