package dev.portico.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.TestCertificates;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.junit.jupiter.api.Test;

/** The verdicts OpenSSL reaches for nginx (the last error found), worked out without a handshake. */
class ClientVerifierTest {
    private static final TestCertificates ROOT = new TestCertificates();
    private static final TestCertificates INTER = ROOT.intermediate("Verifier Intermediate");
    private static final TestCertificates OTHER = new TestCertificates();
    private static final long DAY = 86_400_000L;

    private static ChainVerifier verifier(int depth, List<X509CRL> crls) {
        return new ChainVerifier(List.of(ROOT.ca()), crls, depth, ChainVerifier.CLIENT_AUTH);
    }

    private static X509CRL crl(String pem) throws Exception {
        return (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    }

    private static TestCertificates.Issued client(TestCertificates ca, long fromDays, long toDays) {
        long now = System.currentTimeMillis();
        return ca.client(new X500Name("CN=c"), new Date(now + fromDays * DAY), new Date(now + toDays * DAY));
    }

    @Test
    void validityAndIssuers() {
        Date now = new Date();
        X509Certificate good = ROOT.client("good").cert();
        assertThat(verifier(1, null).verify(List.of(good), now)).isNull();
        assertThat(verifier(1, null).verify(List.of(client(ROOT, -10, -1).cert()), now)).isEqualTo(VerifyError.CERT_HAS_EXPIRED);
        assertThat(verifier(1, null).verify(List.of(client(ROOT, 1, 10).cert()), now)).isEqualTo(VerifyError.CERT_NOT_YET_VALID);
        assertThat(verifier(1, null).verify(List.of(OTHER.client("x").cert()), now)).isEqualTo(VerifyError.UNABLE_TO_VERIFY_LEAF_SIGNATURE);
        // an unknown issuer and an expired certificate: the expiry is found last, and optional_no_ca does not pass it
        VerifyError e = verifier(1, null).verify(List.of(client(OTHER, -10, -1).cert()), now);
        assertThat(e).isEqualTo(VerifyError.CERT_HAS_EXPIRED);
        assertThat(e.untrustedIssuerOnly()).isFalse();
        // the client's own trusted root
        assertThat(verifier(1, null).verify(List.of(ROOT.ca()), now)).isNull();
    }

    @Test
    void depthCountsIntermediates() {
        Date now = new Date();
        TestCertificates.Issued below = INTER.client("below");
        List<X509Certificate> chain = List.of(below.cert(), INTER.ca());
        assertThat(verifier(0, null).verify(List.of(ROOT.client("direct").cert()), now)).isNull();
        assertThat(verifier(0, null).verify(chain, now)).isEqualTo(VerifyError.CERT_CHAIN_TOO_LONG);
        assertThat(verifier(1, null).verify(chain, now)).isNull();
        // the intermediate trusted alongside the root, not sent: found in the store
        ChainVerifier both = new ChainVerifier(List.of(ROOT.ca(), INTER.ca()), null, 1, ChainVerifier.CLIENT_AUTH);
        assertThat(both.verify(List.of(below.cert()), now)).isNull();
        // trusted without its root: OpenSSL wants a self-signed anchor
        ChainVerifier partial = new ChainVerifier(List.of(INTER.ca()), null, 1, ChainVerifier.CLIENT_AUTH);
        assertThat(partial.verify(List.of(below.cert()), now)).isEqualTo(VerifyError.UNABLE_TO_GET_ISSUER_CERT);
    }

    @Test
    void crlsAreCheckedForTheWholeChain() throws Exception {
        Date now = new Date();
        TestCertificates.Issued revoked = ROOT.client("revoked");
        X509CRL current = crl(ROOT.crl(revoked.cert()));
        assertThat(verifier(1, List.of(current)).verify(List.of(ROOT.client("fine").cert()), now)).isNull();
        assertThat(verifier(1, List.of(current)).verify(List.of(revoked.cert()), now)).isEqualTo(VerifyError.CERT_REVOKED);
        X509CRL stale = crl(ROOT.crl(new Date(now.getTime() - 10 * DAY), new Date(now.getTime() - DAY)));
        assertThat(verifier(1, List.of(stale)).verify(List.of(ROOT.client("fine").cert()), now)).isEqualTo(VerifyError.CRL_HAS_EXPIRED);
        X509CRL foreign = crl(OTHER.crl());
        assertThat(verifier(1, List.of(foreign)).verify(List.of(ROOT.client("fine").cert()), now)).isEqualTo(VerifyError.UNABLE_TO_GET_CRL);
        // the intermediate's own CRL as well as the root's
        TestCertificates.Issued below = INTER.client("below");
        List<X509Certificate> chain = List.of(below.cert(), INTER.ca());
        assertThat(verifier(1, List.of(current)).verify(chain, now)).isEqualTo(VerifyError.UNABLE_TO_GET_CRL);
        assertThat(verifier(1, List.of(current, crl(INTER.crl()))).verify(chain, now)).isNull();
        assertThat(verifier(1, List.of(current, crl(INTER.crl(below.cert())))).verify(chain, now)).isEqualTo(VerifyError.CERT_REVOKED);
    }
}
