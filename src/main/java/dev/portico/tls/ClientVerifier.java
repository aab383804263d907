package dev.portico.tls;

import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;

/**
 * Verifies a client's certificate chain as OpenSSL does it for nginx: the chain is built from
 * the client's certificates towards a self-signed certificate of {@code ssl_client_certificate}
 * or {@code ssl_trusted_certificate} (trusted issuers first), then extensions, revocation
 * ({@code ssl_crl}, for every certificate of the chain), signatures and validity are checked.
 * nginx's verify callback lets every error pass, so all checks run and OpenSSL's result is the
 * last error found; the same is returned here. {@code ssl_verify_depth n} admits n intermediate
 * certificates between the client's and the trusted root, as OpenSSL 1.1.0 and later count.
 */
final class ClientVerifier {
    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

    private final List<X509Certificate> trusted;
    /** The CRLs to check every certificate against; null without {@code ssl_crl}. */
    private final List<X509CRL> crls;
    private final int depth;

    ClientVerifier(List<X509Certificate> trusted, List<X509CRL> crls, int depth) {
        this.trusted = List.copyOf(trusted);
        this.crls = crls == null ? null : List.copyOf(crls);
        this.depth = depth;
    }

    /** The chain as sent, the client's certificate first; null when it verifies. */
    VerifyError verify(List<X509Certificate> peer, Date now) {
        Chain c = build(peer, now);
        VerifyError last = c.error;
        last = later(last, extensions(c.certs));
        if (crls != null) {
            last = later(last, revocation(c.certs, now));
        }
        return later(last, signaturesAndTimes(c.certs, now));
    }

    private static VerifyError later(VerifyError earlier, VerifyError later) {
        return later != null ? later : earlier;
    }

    /** A built chain: the client's certificates come first ({@code untrusted} of them), then trusted ones. */
    private static final class Chain {
        final List<X509Certificate> certs = new ArrayList<>();
        int untrusted;
        VerifyError error;
    }

    private Chain build(List<X509Certificate> peer, Date now) {
        Chain c = new Chain();
        c.certs.add(peer.get(0));
        c.untrusted = 1;
        List<X509Certificate> offered = new ArrayList<>(peer.subList(1, peer.size()));
        // OpenSSL extends a chain while it is at most depth + 1 long, so a trusted root can make it depth + 2
        int limit = Math.min(depth, Integer.MAX_VALUE / 2) + 1;
        boolean selfSigned = selfSigned(peer.get(0));
        boolean fromClient = true;
        while (true) {
            int num = c.certs.size();
            X509Certificate top = c.certs.get(num - 1);
            X509Certificate t = num <= limit ? issuer(trusted, top, now) : null;
            if (t != null && !selfSigned && !c.certs.contains(t)) {
                c.certs.add(t);
                fromClient = false;
                selfSigned = selfSigned(t);
                if (selfSigned) {
                    return c;
                }
                continue;
            }
            if (t != null && selfSigned && num == c.untrusted && Arrays.equals(encoded(t), encoded(top))) {
                // the client's self-signed certificate is itself a trusted one
                c.certs.set(num - 1, t);
                c.untrusted--;
                return c;
            }
            if (!fromClient || selfSigned || num > limit) {
                break;
            }
            X509Certificate u = issuer(offered, top, now);
            if (u == null) {
                break;
            }
            offered.remove(u);
            c.certs.add(u);
            c.untrusted++;
            selfSigned = selfSigned(u);
        }
        int num = c.certs.size();
        c.error = num > limit ? VerifyError.CERT_CHAIN_TOO_LONG
            : selfSigned && num == 1 ? VerifyError.DEPTH_ZERO_SELF_SIGNED_CERT
            : selfSigned ? VerifyError.SELF_SIGNED_CERT_IN_CHAIN
            : c.untrusted < num ? VerifyError.UNABLE_TO_GET_ISSUER_CERT
            : VerifyError.UNABLE_TO_GET_ISSUER_CERT_LOCALLY;
        return c;
    }

    /** The candidate that issued {@code x}, preferring one valid now (OpenSSL's find_issuer). */
    private static X509Certificate issuer(List<X509Certificate> candidates, X509Certificate x, Date now) {
        X509Certificate found = null;
        for (X509Certificate c : candidates) {
            if (issued(c, x)) {
                if (validAt(c, now)) {
                    return c;
                }
                found = c;
            }
        }
        return found;
    }

    /** Names match and the key identifiers, where both are given, agree. */
    private static boolean issued(X509Certificate issuer, X509Certificate x) {
        if (!x.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
            return false;
        }
        byte[] akid = authorityKeyId(x);
        byte[] skid = subjectKeyId(issuer);
        return akid == null || skid == null || Arrays.equals(akid, skid);
    }

    private static boolean selfSigned(X509Certificate x) {
        return issued(x, x);
    }

    /** Basic constraints, key usage, purpose (TLS client) and path length, certificate by certificate. */
    private static VerifyError extensions(List<X509Certificate> chain) {
        VerifyError last = null;
        int plen = 0;
        for (int i = 0; i < chain.size(); i++) {
            X509Certificate x = chain.get(i);
            if (i > 0) {
                int ca = caKind(x);
                // an intermediate needs basicConstraints CA:TRUE; the top may be an old-style root
                if (ca == 0 || (i + 1 < chain.size() && ca != 1)) {
                    last = VerifyError.INVALID_CA;
                }
            }
            if (!forClients(x, i > 0)) {
                last = VerifyError.INVALID_PURPOSE;
            }
            int pathLen = x.getBasicConstraints();
            if (i > 1 && pathLen >= 0 && pathLen != Integer.MAX_VALUE && plen > pathLen) {
                last = VerifyError.PATH_LENGTH_EXCEEDED;
            }
            if (i > 0 && !x.getSubjectX500Principal().equals(x.getIssuerX500Principal())) {
                plen++;
            }
        }
        return last;
    }

    /** OpenSSL's check_ca: 0 not a CA, 1 by basic constraints, 3 a version 1 root, 4 by key usage alone. */
    private static int caKind(X509Certificate x) {
        boolean[] ku = x.getKeyUsage();
        if (ku != null && !ku[5]) {
            return 0;
        }
        if (x.getExtensionValue("2.5.29.19") != null) {
            return x.getBasicConstraints() >= 0 ? 1 : 0;
        }
        if (x.getVersion() == 1 && selfSigned(x)) {
            return 3;
        }
        return ku != null ? 4 : 0;
    }

    /** The "SSL client" purpose: extended key usage, if any, allows clientAuth; a CA must be one, a leaf able to sign. */
    private static boolean forClients(X509Certificate x, boolean ca) {
        try {
            List<String> eku = x.getExtendedKeyUsage();
            if (eku != null && !eku.contains(CLIENT_AUTH)) {
                return false;
            }
        } catch (java.security.cert.CertificateParsingException e) {
            return false;
        }
        if (ca) {
            return caKind(x) != 0;
        }
        boolean[] ku = x.getKeyUsage();
        return ku == null || ku[0] || ku[4];
    }

    /** Every certificate of the chain needs a CRL from its issuer (nginx sets CRL_CHECK and CRL_CHECK_ALL). */
    private VerifyError revocation(List<X509Certificate> chain, Date now) {
        VerifyError last = null;
        for (int i = 0; i < chain.size(); i++) {
            X509Certificate x = chain.get(i);
            X509CRL crl = crlFor(x, now);
            if (crl == null) {
                last = VerifyError.UNABLE_TO_GET_CRL;
                continue;
            }
            X509Certificate issuer = i + 1 < chain.size() ? chain.get(i + 1) : x;
            if (i + 1 == chain.size() && !selfSigned(x)) {
                last = VerifyError.UNABLE_TO_GET_CRL_ISSUER;
            }
            if (crl.getThisUpdate().after(now)) {
                last = VerifyError.CRL_NOT_YET_VALID;
            } else if (crl.getNextUpdate() != null && crl.getNextUpdate().before(now)) {
                last = VerifyError.CRL_HAS_EXPIRED;
            }
            try {
                crl.verify(issuer.getPublicKey());
            } catch (java.security.GeneralSecurityException e) {
                last = VerifyError.CRL_SIGNATURE_FAILURE;
            }
            if (crl.isRevoked(x)) {
                last = VerifyError.CERT_REVOKED;
            }
        }
        return last;
    }

    /** The CRL of {@code x}'s issuer, one current now if there is one. */
    private X509CRL crlFor(X509Certificate x, Date now) {
        X509CRL found = null;
        for (X509CRL crl : crls) {
            if (crl.getIssuerX500Principal().equals(x.getIssuerX500Principal())) {
                if (!crl.getThisUpdate().after(now) && (crl.getNextUpdate() == null || !crl.getNextUpdate().before(now))) {
                    return crl;
                }
                found = crl;
            }
        }
        return found;
    }

    /**
     * OpenSSL's internal_verify: from the top down, each signature by its issuer (not a
     * self-signed top's own), then each certificate's validity, the root's included.
     */
    private static VerifyError signaturesAndTimes(List<X509Certificate> chain, Date now) {
        VerifyError last = null;
        int n = chain.size() - 1;
        X509Certificate xi = chain.get(n);
        X509Certificate xs = xi;
        if (!selfSigned(xi)) {
            if (n == 0) {
                last = VerifyError.UNABLE_TO_VERIFY_LEAF_SIGNATURE;
            } else {
                xs = chain.get(--n);
            }
        }
        while (n >= 0) {
            if (xs != xi) {
                try {
                    xs.verify(xi.getPublicKey());
                } catch (java.security.GeneralSecurityException e) {
                    last = VerifyError.CERT_SIGNATURE_FAILURE;
                }
            }
            if (xs.getNotBefore().after(now)) {
                last = VerifyError.CERT_NOT_YET_VALID;
            } else if (xs.getNotAfter().before(now)) {
                last = VerifyError.CERT_HAS_EXPIRED;
            }
            if (--n >= 0) {
                xi = xs;
                xs = chain.get(n);
            }
        }
        return last;
    }

    private static boolean validAt(X509Certificate c, Date now) {
        return !c.getNotBefore().after(now) && !c.getNotAfter().before(now);
    }

    private static byte[] encoded(X509Certificate c) {
        try {
            return c.getEncoded();
        } catch (java.security.cert.CertificateEncodingException e) {
            return new byte[0];
        }
    }

    private static byte[] authorityKeyId(X509Certificate x) {
        byte[] ext = x.getExtensionValue("2.5.29.35");
        if (ext == null) {
            return null;
        }
        try {
            return AuthorityKeyIdentifier.getInstance(ASN1OctetString.getInstance(ext).getOctets()).getKeyIdentifier();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static byte[] subjectKeyId(X509Certificate x) {
        byte[] ext = x.getExtensionValue("2.5.29.14");
        if (ext == null) {
            return null;
        }
        try {
            return SubjectKeyIdentifier.getInstance(ASN1OctetString.getInstance(ext).getOctets()).getKeyIdentifier();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
