package dev.portico.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.TestCertificates;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The OpenSSL verify results nginx logs for backends' chains, as the verifier gives them. */
class ChainVerifierTest {
    private static final TestCertificates ROOT = new TestCertificates();
    private static final TestCertificates INTERMEDIATE = ROOT.intermediate();
    private static final TestCertificates OTHER = new TestCertificates();

    private static VerifyError verify(List<X509Certificate> trusted, int depth, X509Certificate... presented) {
        return verify(trusted, null, depth, new Date(), presented);
    }

    private static VerifyError verify(List<X509Certificate> trusted, List<X509CRL> crls, int depth, Date now, X509Certificate... presented) {
        return new ChainVerifier(trusted, crls, depth, ChainVerifier.SERVER_AUTH).verify(List.of(presented), now);
    }

    @Test
    void aLeafOfATrustedRootVerifies() {
        TestCertificates.Issued leaf = ROOT.rsa("a.test");
        assertThat(verify(List.of(ROOT.ca()), 1, leaf.cert())).isNull();
        assertThat(verify(List.of(ROOT.ca()), 0, leaf.cert(), ROOT.ca())).isNull();
    }

    @Test
    void theDepthCountsIntermediates() {
        TestCertificates.Issued leaf = INTERMEDIATE.rsa("a.test");
        assertThat(verify(List.of(ROOT.ca()), 1, leaf.cert(), INTERMEDIATE.ca())).isNull();
        // one intermediate too many: too long, as for ssl_verify_client (the old backend verifier said 20)
        assertThat(verify(List.of(ROOT.ca()), 0, leaf.cert(), INTERMEDIATE.ca())).isEqualTo(VerifyError.CERT_CHAIN_TOO_LONG);
        // the intermediate may come from the trusted file instead of the backend
        assertThat(verify(List.of(ROOT.ca(), INTERMEDIATE.ca()), 1, leaf.cert())).isNull();
    }

    @Test
    void untrustedChainsGetOpenSslsCodes() {
        TestCertificates.Issued foreign = OTHER.rsa("a.test");
        assertThat(verify(List.of(ROOT.ca()), 1, foreign.cert(), OTHER.ca()).code).isEqualTo(19);
        // the leaf alone: 20 while building, then 21 when its signature cannot be checked
        assertThat(verify(List.of(ROOT.ca()), 1, foreign.cert()))
            .isEqualTo(VerifyError.UNABLE_TO_VERIFY_LEAF_SIGNATURE);
        assertThat(verify(List.of(ROOT.ca()), 1, OTHER.ca())).isEqualTo(VerifyError.DEPTH_ZERO_SELF_SIGNED_CERT);
        // a trusted intermediate is no anchor without its root (no partial chains)
        TestCertificates.Issued leaf = INTERMEDIATE.rsa("a.test");
        assertThat(verify(List.of(INTERMEDIATE.ca()), 1, leaf.cert(), INTERMEDIATE.ca()))
            .isEqualTo(VerifyError.UNABLE_TO_GET_ISSUER_CERT);
    }

    @Test
    void aTrustedSelfSignedCertificateVerifiesItself() {
        assertThat(verify(List.of(ROOT.ca()), 1, ROOT.ca())).isNull();
    }

    @Test
    void theBackendsCertificateMustAllowServerUse() {
        // a certificate for TLS clients only (extended key usage clientAuth)
        assertThat(verify(List.of(ROOT.ca()), 1, ROOT.client("c").cert())).isEqualTo(VerifyError.INVALID_PURPOSE);
    }

    @Test
    void revocationNeedsACrlForEveryCertificateOfTheChain() {
        TestCertificates.Issued leaf = INTERMEDIATE.rsa("a.test");
        List<X509CRL> rootOnly = crls(ROOT.crlPem());
        assertThat(verify(List.of(ROOT.ca()), rootOnly, 1, new Date(), leaf.cert(), INTERMEDIATE.ca())).isEqualTo(VerifyError.UNABLE_TO_GET_CRL);
        List<X509CRL> both = crls(ROOT.crlPem() + INTERMEDIATE.crlPem(leaf.cert()));
        assertThat(verify(List.of(ROOT.ca()), both, 1, new Date(), leaf.cert(), INTERMEDIATE.ca())).isEqualTo(VerifyError.CERT_REVOKED);
        List<X509CRL> clean = crls(ROOT.crlPem() + INTERMEDIATE.crlPem());
        assertThat(verify(List.of(ROOT.ca()), clean, 1, new Date(), leaf.cert(), INTERMEDIATE.ca())).isNull();
    }

    @Test
    void validityIsCheckedAtTheGivenTime() {
        TestCertificates.Issued leaf = ROOT.rsa("a.test");
        Date later = new Date(System.currentTimeMillis() + 2 * 86_400_000L);
        assertThat(verify(List.of(ROOT.ca()), null, 1, later, leaf.cert())).isEqualTo(VerifyError.CERT_HAS_EXPIRED);
        Date earlier = new Date(System.currentTimeMillis() - 2 * 86_400_000L);
        assertThat(verify(List.of(ROOT.ca()), null, 1, earlier, leaf.cert())).isEqualTo(VerifyError.CERT_NOT_YET_VALID);
    }

    private static List<X509CRL> crls(String pem) {
        try {
            List<X509CRL> out = new java.util.ArrayList<>();
            for (java.security.cert.CRL c : java.security.cert.CertificateFactory.getInstance("X.509")
                .generateCRLs(new java.io.ByteArrayInputStream(pem.getBytes(java.nio.charset.StandardCharsets.US_ASCII)))) {
                out.add((X509CRL) c);
            }
            return out;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
