package dev.portico.tls;

import java.security.GeneralSecurityException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;

/**
 * Checks a backend's certificate chain the way OpenSSL 3's {@code X509_verify_cert} does for
 * nginx's {@code proxy_ssl_verify}: the chain is built from the backend's certificates up to a
 * self-signed certificate of {@code proxy_ssl_trusted_certificate}, looking in the trusted ones
 * first, within the verify depth (that many intermediates); then come the CA and purpose checks,
 * revocation when {@code proxy_ssl_crl} is given (every certificate of the chain needs a CRL
 * from its issuer, as with nginx's CRL_CHECK_ALL), and signatures and validity from the top
 * down. nginx's verify callback lets the check go on after an error, so the result it logs is
 * the last error found; the same order is kept here so the same code comes out.
 */
final class ChainVerifier {
    /** An OpenSSL verify result: its number and {@code X509_verify_cert_error_string}. */
    record Result(int code, String text) {
        static final Result OK = new Result(0, "ok");

        boolean ok() {
            return code == 0;
        }
    }

    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final String ANY_EXTENDED_KEY_USAGE = "2.5.29.37.0";

    private final List<X509Certificate> store;
    private final int depth;
    private final List<X509CRL> crls;

    /** @param crls the CRLs to check against, or null for no revocation check */
    ChainVerifier(List<X509Certificate> store, int depth, List<X509CRL> crls) {
        this.store = List.copyOf(store);
        this.depth = depth;
        this.crls = crls == null ? null : List.copyOf(crls);
    }

    Result verify(X509Certificate[] presented, Date now) {
        return new Run(presented, now).verify();
    }

    /** One verification: the chain built so far and the last error reported. */
    private final class Run {
        private final List<X509Certificate> chain = new ArrayList<>();
        private final List<X509Certificate> pool;
        private final Date now;
        /** How many certificates at the start of the chain came from the backend. */
        private int untrusted = 1;
        private Result last = Result.OK;

        Run(X509Certificate[] presented, Date now) {
            chain.add(presented[0]);
            pool = new ArrayList<>(Arrays.asList(presented).subList(1, presented.length));
            this.now = now;
        }

        private void report(int code) {
            last = new Result(code, text(code));
        }

        Result verify() {
            buildChain();
            checkExtensions();
            if (crls != null) {
                checkRevocation();
            }
            checkSignaturesAndTimes();
            return last;
        }

        private void buildChain() {
            int maxDepth = depth + 1;
            boolean useUntrusted = true;
            while (true) {
                int num = chain.size();
                X509Certificate cur = chain.get(num - 1);
                X509Certificate anchor = num > maxDepth ? null : issuerIn(store, cur, now);
                if (anchor != null) {
                    if (!selfSigned(cur)) {
                        if (chain.contains(anchor)) {
                            anchor = null;
                        } else {
                            chain.add(anchor);
                        }
                    } else if (cur.equals(anchor)) {
                        // the backend's self-signed certificate is itself a trusted one
                        chain.set(num - 1, anchor);
                        untrusted = num - 1;
                    } else {
                        // a self-signed look-alike of a trusted certificate
                        anchor = null;
                    }
                }
                if (anchor != null) {
                    useUntrusted = false;
                    if (trusted()) {
                        return;
                    }
                    continue;
                }
                if (!useUntrusted) {
                    break;
                }
                X509Certificate next = selfSigned(cur) || num > maxDepth ? null : issuerIn(pool, cur, now);
                if (next == null) {
                    useUntrusted = false;
                    continue;
                }
                pool.remove(next);
                chain.add(next);
                untrusted++;
            }
            int num = chain.size();
            if (num > maxDepth) {
                report(22);
            }
            if (selfSigned(chain.get(num - 1))) {
                report(num == 1 ? 18 : 19);
            } else {
                report(untrusted < num ? 2 : 20);
            }
        }

        /** OpenSSL's compatibility trust: a self-signed certificate from the trusted file anchors the chain. */
        private boolean trusted() {
            for (int i = untrusted; i < chain.size(); i++) {
                if (selfSigned(chain.get(i))) {
                    return true;
                }
            }
            return false;
        }

        /** Issuers must be CAs within their path length; the backend's certificate must be for a server. */
        private void checkExtensions() {
            int plen = 0;
            for (int i = 0; i < chain.size(); i++) {
                X509Certificate x = chain.get(i);
                if (i == 0) {
                    if (!serverPurpose(x)) {
                        report(26);
                    }
                } else {
                    if (!isCa(x)) {
                        report(24);
                    } else if (i < untrusted && !extendedUsageAllowsServer(x)) {
                        report(26);
                    }
                    int pathLen = x.getBasicConstraints();
                    if (i > 1 && pathLen >= 0 && pathLen != Integer.MAX_VALUE && plen > pathLen + 1) {
                        report(25);
                    }
                }
                if (!selfIssued(x)) {
                    plen++;
                }
            }
        }

        private void checkRevocation() {
            for (int i = 0; i < chain.size(); i++) {
                X509Certificate x = chain.get(i);
                X509Certificate issuer = i + 1 < chain.size() ? chain.get(i + 1) : selfIssued(x) ? x : null;
                X509CRL crl = crlFor(x);
                if (crl == null) {
                    report(3);
                    continue;
                }
                if (issuer != null && !signedBy(crl, issuer)) {
                    report(8);
                }
                if (crl.getThisUpdate().after(now)) {
                    report(11);
                } else if (crl.getNextUpdate() != null && crl.getNextUpdate().before(now)) {
                    report(12);
                }
                if (crl.isRevoked(x)) {
                    report(23);
                }
            }
        }

        /** A CRL of the certificate's issuer, one in force preferred. */
        private X509CRL crlFor(X509Certificate x) {
            X509CRL found = null;
            for (X509CRL c : crls) {
                if (c.getIssuerX500Principal().equals(x.getIssuerX500Principal())) {
                    boolean current = !c.getThisUpdate().after(now) && (c.getNextUpdate() == null || !c.getNextUpdate().before(now));
                    if (current) {
                        return c;
                    }
                    if (found == null) {
                        found = c;
                    }
                }
            }
            return found;
        }

        /** From the top of the chain down: each signature by the certificate above, then the validity period. */
        private void checkSignaturesAndTimes() {
            int n = chain.size() - 1;
            X509Certificate xi = chain.get(n);
            X509Certificate xs = xi;
            if (!selfIssued(xi)) {
                if (n > 0) {
                    n--;
                    xs = chain.get(n);
                } else {
                    report(21);
                }
            }
            while (n >= 0) {
                if (xs != xi && !signedBy(xs, xi)) {
                    report(7);
                }
                if (now.before(xs.getNotBefore())) {
                    report(9);
                } else if (now.after(xs.getNotAfter())) {
                    report(10);
                }
                if (--n >= 0) {
                    xi = xs;
                    xs = chain.get(n);
                }
            }
        }
    }

    /** The first certificate of {@code candidates} that could have issued {@code x}, one in force preferred. */
    private static X509Certificate issuerIn(List<X509Certificate> candidates, X509Certificate x, Date now) {
        X509Certificate found = null;
        for (X509Certificate c : candidates) {
            if (issued(c, x)) {
                if (!now.before(c.getNotBefore()) && !now.after(c.getNotAfter())) {
                    return c;
                }
                if (found == null) {
                    found = c;
                }
            }
        }
        return found;
    }

    /** OpenSSL's "likely issued": the names match, and the key identifiers when both are there. */
    static boolean issued(X509Certificate issuer, X509Certificate x) {
        if (!issuer.getSubjectX500Principal().equals(x.getIssuerX500Principal())) {
            return false;
        }
        byte[] akid = KeyIds.authorityKeyId(x);
        byte[] skid = KeyIds.subjectKeyId(issuer);
        return akid == null || skid == null || Arrays.equals(akid, skid);
    }

    static boolean selfIssued(X509Certificate x) {
        return x.getSubjectX500Principal().equals(x.getIssuerX500Principal());
    }

    static boolean selfSigned(X509Certificate x) {
        return issued(x, x);
    }

    private static boolean signedBy(X509Certificate x, X509Certificate issuer) {
        try {
            x.verify(issuer.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static boolean signedBy(X509CRL crl, X509Certificate issuer) {
        try {
            crl.verify(issuer.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** OpenSSL's X509_check_ca: key usage, if any, allows signing certificates; basic constraints say CA, or a v1 root. */
    private static boolean isCa(X509Certificate x) {
        boolean[] ku = x.getKeyUsage();
        if (ku != null && (ku.length <= 5 || !ku[5])) {
            return false;
        }
        if (x.getExtensionValue("2.5.29.19") != null) {
            return x.getBasicConstraints() >= 0;
        }
        return x.getVersion() == 1 && selfSigned(x) || ku != null;
    }

    /** The SSL server purpose: key usage (if any) allows a key exchange or signature, extended usage allows serverAuth. */
    private static boolean serverPurpose(X509Certificate x) {
        boolean[] ku = x.getKeyUsage();
        if (ku != null && !(ku[0] || ku[2] || (ku.length > 4 && ku[4]))) {
            return false;
        }
        return extendedUsageAllowsServer(x);
    }

    private static boolean extendedUsageAllowsServer(X509Certificate x) {
        try {
            List<String> eku = x.getExtendedKeyUsage();
            return eku == null || eku.contains(SERVER_AUTH) || eku.contains(ANY_EXTENDED_KEY_USAGE);
        } catch (java.security.cert.CertificateParsingException e) {
            return false;
        }
    }

    /** OpenSSL 3's {@code X509_verify_cert_error_string} for the codes this verifier reports. */
    static String text(int code) {
        return switch (code) {
            case 0 -> "ok";
            case 2 -> "unable to get issuer certificate";
            case 3 -> "unable to get certificate CRL";
            case 7 -> "certificate signature failure";
            case 8 -> "CRL signature failure";
            case 9 -> "certificate is not yet valid";
            case 10 -> "certificate has expired";
            case 11 -> "CRL is not yet valid";
            case 12 -> "CRL has expired";
            case 18 -> "self-signed certificate";
            case 19 -> "self-signed certificate in certificate chain";
            case 20 -> "unable to get local issuer certificate";
            case 21 -> "unable to verify the first certificate";
            case 22 -> "certificate chain too long";
            case 23 -> "certificate revoked";
            case 24 -> "invalid CA certificate";
            case 25 -> "path length constraint exceeded";
            case 26 -> "unsupported certificate purpose";
            default -> "unknown certificate verification error";
        };
    }
}
