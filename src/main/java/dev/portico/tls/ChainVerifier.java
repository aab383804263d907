package dev.portico.tls;

import java.security.GeneralSecurityException;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertStore;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CertificateParsingException;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.PKIXCertPathBuilderResult;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXRevocationChecker;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CRL;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Verifies a peer's certificate chain, a backend's for {@code proxy_ssl_verify} or a client's
 * for {@code ssl_verify_client}, with the JDK's PKIX implementation, and tells the outcome in
 * OpenSSL's terms as nginx logs it. Only the self-signed trusted certificates anchor a chain
 * (nginx sets no partial-chain flag); the other trusted ones and the peer's serve as
 * intermediates. The verify depth is the number of intermediates allowed below the root, as
 * OpenSSL 1.1.0 and later count. With CRLs, every certificate below the root needs one from its
 * issuer (nginx's CRL_CHECK_ALL). The peer's certificate must allow the purpose (extended key
 * usage serverAuth or clientAuth).
 *
 * <p>nginx lets OpenSSL go on after an error and reports the last one found; PKIX stops at the
 * first. Where no path is found, the reason is worked out in OpenSSL's order: a certificate out
 * of its validity period, then the purpose, then a chain longer than the depth, then which kind
 * of untrusted chain it is.
 */
final class ChainVerifier {
    static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

    private final List<X509Certificate> trusted;
    private final Set<TrustAnchor> roots;
    /** Every trusted certificate as an anchor: a chain that ends at one of them only lacks its root. */
    private final Set<TrustAnchor> partial;
    /** The CRLs every certificate is checked against; null for no revocation check. */
    private final List<X509CRL> crls;
    private final int depth;
    private final String purpose;

    ChainVerifier(List<X509Certificate> trusted, List<X509CRL> crls, int depth, String purpose) {
        this.trusted = List.copyOf(trusted);
        this.roots = trusted.stream().filter(ChainVerifier::selfIssued).map(c -> new TrustAnchor(c, null)).collect(Collectors.toSet());
        this.partial = trusted.stream().map(c -> new TrustAnchor(c, null)).collect(Collectors.toSet());
        this.crls = crls == null ? null : List.copyOf(crls);
        this.depth = depth;
        this.purpose = purpose;
    }

    /** The chain as sent, the peer's certificate first: null when it verifies at {@code now}. */
    VerifyError verify(List<X509Certificate> chain, Date now) {
        PKIXCertPathBuilderResult built = build(chain, roots, depth, now);
        if (built == null) {
            return failure(chain, now);
        }
        // PKIX takes a trust anchor's dates on trust; OpenSSL checks the root's too
        VerifyError e = validity(List.of(built.getTrustAnchor().getTrustedCert()), now);
        if (e == null && crls != null) {
            e = revocation(built, chain, now);
        }
        return e == null && !forPurpose(chain.get(0)) ? VerifyError.INVALID_PURPOSE : e;
    }

    /** A path from the peer's certificate to one of {@code anchors} within {@code maxPath} intermediates (-1: any), or null. */
    private PKIXCertPathBuilderResult build(List<X509Certificate> chain, Set<TrustAnchor> anchors, int maxPath, Date now) {
        if (anchors.isEmpty()) {
            return null;
        }
        X509CertSelector target = new X509CertSelector();
        target.setCertificate(chain.get(0));
        try {
            PKIXBuilderParameters p = new PKIXBuilderParameters(anchors, target);
            p.setMaxPathLength(maxPath);
            p.setDate(now);
            p.setRevocationEnabled(false);
            p.addCertStore(store(chain));
            return (PKIXCertPathBuilderResult) CertPathBuilder.getInstance("PKIX").build(p);
        } catch (CertPathBuilderException e) {
            return null;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The built path checked against the CRLs alone (CRLs only, no OCSP, a CRL needed for every certificate). */
    private VerifyError revocation(PKIXCertPathBuilderResult built, List<X509Certificate> chain, Date now) {
        if (built.getCertPath().getCertificates().isEmpty()) {
            return null;
        }
        try {
            CertPathValidator validator = CertPathValidator.getInstance("PKIX");
            PKIXRevocationChecker crlOnly = (PKIXRevocationChecker) validator.getRevocationChecker();
            crlOnly.setOptions(EnumSet.of(PKIXRevocationChecker.Option.PREFER_CRLS, PKIXRevocationChecker.Option.NO_FALLBACK));
            PKIXParameters p = new PKIXParameters(Set.of(built.getTrustAnchor()));
            p.setDate(now);
            p.addCertStore(store(chain));
            p.addCertPathChecker(crlOnly);
            validator.validate(built.getCertPath(), p);
            return null;
        } catch (CertPathValidatorException e) {
            if (e.getReason() == CertPathValidatorException.BasicReason.REVOKED) {
                return VerifyError.CERT_REVOKED;
            }
            int at = Math.max(e.getIndex(), 0);
            return staleCrl((X509Certificate) built.getCertPath().getCertificates().get(at), now);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Why no CRL of {@code x}'s issuer served: one out of date (OpenSSL names that), or none at all. */
    private VerifyError staleCrl(X509Certificate x, Date now) {
        for (X509CRL crl : crls) {
            if (crl.getIssuerX500Principal().equals(x.getIssuerX500Principal())) {
                if (crl.getThisUpdate().after(now)) {
                    return VerifyError.CRL_NOT_YET_VALID;
                }
                if (crl.getNextUpdate() != null && crl.getNextUpdate().before(now)) {
                    return VerifyError.CRL_HAS_EXPIRED;
                }
            }
        }
        return VerifyError.UNABLE_TO_GET_CRL;
    }

    /** Why no path was found, the error OpenSSL would find last first. */
    private VerifyError failure(List<X509Certificate> chain, Date now) {
        VerifyError e = validity(chain, now);
        if (e != null) {
            return e;
        }
        X509Certificate leaf = chain.get(0);
        if (!forPurpose(leaf)) {
            return VerifyError.INVALID_PURPOSE;
        }
        if (build(chain, roots, -1, now) != null) {
            return VerifyError.CERT_CHAIN_TOO_LONG;
        }
        if (selfIssued(leaf)) {
            return VerifyError.DEPTH_ZERO_SELF_SIGNED_CERT;
        }
        if (build(chain, partial, -1, now) != null) {
            return VerifyError.UNABLE_TO_GET_ISSUER_CERT;
        }
        if (chain.size() == 1) {
            return VerifyError.UNABLE_TO_VERIFY_LEAF_SIGNATURE;
        }
        return selfIssued(chain.get(chain.size() - 1)) ? VerifyError.SELF_SIGNED_CERT_IN_CHAIN : VerifyError.UNABLE_TO_GET_ISSUER_CERT_LOCALLY;
    }

    /** The first certificate out of its validity period, the peer's first, as OpenSSL reports it last. */
    private static VerifyError validity(List<X509Certificate> certs, Date now) {
        for (X509Certificate c : certs) {
            try {
                c.checkValidity(now);
            } catch (CertificateExpiredException e) {
                return VerifyError.CERT_HAS_EXPIRED;
            } catch (CertificateNotYetValidException e) {
                return VerifyError.CERT_NOT_YET_VALID;
            }
        }
        return null;
    }

    /** OpenSSL's SSL server or client purpose on the extended key usage: none, or one that names it (null purpose: any). */
    private boolean forPurpose(X509Certificate leaf) {
        try {
            List<String> eku = leaf.getExtendedKeyUsage();
            return purpose == null || eku == null || eku.contains(purpose);
        } catch (CertificateParsingException e) {
            return false;
        }
    }

    /** The peer's certificates, the trusted ones and the CRLs, for the builder and the validator. */
    private CertStore store(List<X509Certificate> chain) throws GeneralSecurityException {
        List<Object> all = new ArrayList<>(chain);
        all.addAll(trusted);
        if (crls != null) {
            all.addAll(crls);
        }
        return CertStore.getInstance("Collection", new CollectionCertStoreParameters(all));
    }

    /** By name, as a first look for the issuer among candidates (a signature check decides). */
    static boolean issued(X509Certificate issuer, X509Certificate subject) {
        return issuer.getSubjectX500Principal().equals(subject.getIssuerX500Principal());
    }

    private static boolean selfIssued(X509Certificate x) {
        return x.getSubjectX500Principal().equals(x.getIssuerX500Principal());
    }
}
