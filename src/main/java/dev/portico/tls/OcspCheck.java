package dev.portico.tls;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.ocsp.ResponderID;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPException;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.SingleResp;
import org.bouncycastle.operator.DigestCalculatorProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/**
 * The OCSP request for a certificate, and the checks nginx makes of the answer before stapling
 * it, in its order and with its messages: a DER response, status successful, a basic response,
 * OpenSSL's {@code OCSP_basic_verify} (the signer found and its signature good; with
 * {@code ssl_stapling_verify} also trusted), the certificate's status found in it and current
 * (five minutes' leeway), and that status "good".
 */
final class OcspCheck {
    /** OpenSSL's leeway on thisUpdate and nextUpdate. */
    private static final long LEEWAY_MILLIS = 300_000;
    private static final String OCSP_SIGNING = "1.3.6.1.5.5.7.3.9";
    private static final int MAX_DEPTH = 10;

    /** A response that must not be stapled, with nginx's log message. */
    static final class Failure extends Exception {
        Failure(String message) {
            super(message);
        }
    }

    private OcspCheck() {
    }

    /** The DER request nginx sends: one certificate ID (SHA-1 hashes), no nonce. */
    static byte[] request(X509Certificate cert, X509Certificate issuer) {
        try {
            return new OCSPReqBuilder().addRequest(id(cert, issuer)).build().getEncoded();
        } catch (OCSPException | IOException e) {
            throw new IllegalStateException("OCSP_REQUEST_new() failed", e);
        }
    }

    private static CertificateID id(X509Certificate cert, X509Certificate issuer) throws OCSPException {
        try {
            return new CertificateID(digests().get(CertificateID.HASH_SHA1), new JcaX509CertificateHolder(issuer), cert.getSerialNumber());
        } catch (OperatorCreationException | CertificateException e) {
            throw new OCSPException("OCSP_cert_to_id() failed", e);
        }
    }

    private static DigestCalculatorProvider digests() throws OperatorCreationException {
        return new JcaDigestCalculatorProviderBuilder().build();
    }

    /**
     * Checks {@code der} as the response for {@code t}'s certificate at {@code now}; returns until
     * when it may be stapled (its nextUpdate, or {@link Long#MAX_VALUE} without one).
     */
    static long check(byte[] der, OcspTarget t, long now) throws Failure {
        OCSPResp resp;
        try {
            resp = new OCSPResp(der);
        } catch (IOException | RuntimeException e) {
            throw new Failure("d2i_OCSP_RESPONSE() failed (SSL: not a DER OCSP response)");
        }
        int status = resp.getStatus();
        if (status != OCSPResp.SUCCESSFUL) {
            throw new Failure("OCSP response not successful (" + status + ": " + responseStatus(status) + ")");
        }
        BasicOCSPResp basic;
        try {
            basic = resp.getResponseObject() instanceof BasicOCSPResp b ? b : null;
        } catch (OCSPException | RuntimeException e) {
            basic = null;
        }
        if (basic == null) {
            throw new Failure("OCSP_response_get1_basic() failed");
        }
        String verifyError = verify(basic, t, new Date(now));
        if (verifyError != null) {
            throw new Failure("OCSP_basic_verify() failed (SSL: " + verifyError + ")");
        }
        SingleResp single = find(basic, t);
        if (single == null) {
            throw new Failure("certificate status not found in the OCSP response");
        }
        Date thisUpdate = single.getThisUpdate();
        Date nextUpdate = single.getNextUpdate();
        if (thisUpdate.getTime() > now + LEEWAY_MILLIS) {
            throw new Failure("OCSP_check_validity() failed (SSL: status not yet valid)");
        }
        if (nextUpdate != null && nextUpdate.getTime() < now - LEEWAY_MILLIS) {
            throw new Failure("OCSP_check_validity() failed (SSL: status expired)");
        }
        if (nextUpdate != null && nextUpdate.before(thisUpdate)) {
            throw new Failure("OCSP_check_validity() failed (SSL: status times invalid)");
        }
        CertificateStatus cs = single.getCertStatus();
        if (cs != CertificateStatus.GOOD) {
            // a revoked certificate is not stapled: clients then ask the responder themselves
            throw new Failure("certificate status \"" + (cs instanceof RevokedStatus ? "revoked" : "unknown") + "\" in the OCSP response");
        }
        return nextUpdate == null ? Long.MAX_VALUE : nextUpdate.getTime();
    }

    /** The entry for the certificate: its serial, issued by its issuer (whatever hash the responder used). */
    private static SingleResp find(BasicOCSPResp basic, OcspTarget t) throws Failure {
        try {
            X509CertificateHolder issuer = new JcaX509CertificateHolder(t.issuer());
            BigInteger serial = t.certificate().getSerialNumber();
            for (SingleResp r : basic.getResponses()) {
                CertificateID id = r.getCertID();
                if (id.getSerialNumber().equals(serial) && id.matchesIssuer(issuer, digests())) {
                    return r;
                }
            }
            return null;
        } catch (OCSPException | OperatorCreationException | CertificateException e) {
            throw new Failure("OCSP_cert_to_id() failed");
        }
    }

    /**
     * OpenSSL's {@code OCSP_basic_verify} with nginx's flags; null when it passes, else the reason.
     * The signer is looked for among the chain served with the certificate and its issuer first
     * (trusted as they are, OpenSSL's {@code OCSP_TRUSTOTHER}), then among the response's own
     * certificates. Its signature is always checked; with {@code ssl_stapling_verify} a signer
     * from the response must also chain to a self-signed certificate of the trusted store and be
     * the issuer or a responder the issuer delegated to (extended key usage OCSPSigning).
     */
    private static String verify(BasicOCSPResp basic, OcspTarget t, Date now) {
        ResponderID rid = basic.getResponderId().toASN1Primitive();
        List<X509Certificate> trustedOther = new ArrayList<>(t.chain());
        if (!trustedOther.contains(t.issuer())) {
            trustedOther.add(t.issuer());
        }
        X509Certificate signer = signerIn(trustedOther, rid);
        boolean trusted = signer != null;
        List<X509Certificate> included = included(basic);
        if (signer == null) {
            signer = signerIn(included, rid);
        }
        if (signer == null) {
            return "signer certificate not found";
        }
        try {
            if (!basic.isSignatureValid(new JcaContentVerifierProviderBuilder().build(signer.getPublicKey()))) {
                return "signature failure";
            }
        } catch (OCSPException | OperatorCreationException | RuntimeException e) {
            return "signature failure";
        }
        if (!t.verify() || trusted) {
            return null;
        }
        List<X509Certificate> pool = new ArrayList<>(included);
        pool.addAll(trustedOther);
        List<X509Certificate> chain = new ArrayList<>();
        chain.add(signer);
        chain.addAll(included);
        // the server's own chain helps build the path, as untrusted material: only the store's roots anchor it
        List<X509Certificate> material = new ArrayList<>(t.store());
        for (X509Certificate c : trustedOther) {
            if (!c.getSubjectX500Principal().equals(c.getIssuerX500Principal())) {
                material.add(c);
            }
        }
        VerifyError chainError = new ChainVerifier(material, null, MAX_DEPTH, null).verify(chain, now);
        if (chainError != null) {
            return "certificate verify error:Verify error:" + chainError.text;
        }
        List<X509Certificate> candidates = new ArrayList<>(pool);
        candidates.addAll(t.store());
        X509Certificate signerIssuer = signer.getSubjectX500Principal().equals(signer.getIssuerX500Principal())
            ? null : issuerOf(signer, candidates);
        if (signerIssuer != null && sameIssuer(signerIssuer, t.issuer())) {
            return delegated(signer) ? null : "missing ocspsigning usage";
        }
        // signed by the issuer itself, or by someone the trusted root vouches for but the issuer did not delegate to
        return sameIssuer(signer, t.issuer()) ? null : "root ca not trusted";
    }

    /** The certificates a response carries (a delegated responder's, usually). */
    private static List<X509Certificate> included(BasicOCSPResp basic) {
        List<X509Certificate> out = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        for (X509CertificateHolder h : basic.getCerts()) {
            try {
                out.add(converter.getCertificate(h));
            } catch (CertificateException e) {
                // an unreadable certificate signs nothing
            }
        }
        return out;
    }

    /** The certificate the responder ID names, by subject or by SHA-1 of its key. */
    private static X509Certificate signerIn(List<X509Certificate> candidates, ResponderID rid) {
        for (X509Certificate c : candidates) {
            if (rid.getName() != null) {
                if (X500Name.getInstance(c.getSubjectX500Principal().getEncoded()).equals(rid.getName())) {
                    return c;
                }
            } else if (Arrays.equals(keyHash(c), rid.getKeyHash())) {
                return c;
            }
        }
        return null;
    }

    private static byte[] keyHash(X509Certificate c) {
        try {
            byte[] key = SubjectPublicKeyInfo.getInstance(c.getPublicKey().getEncoded()).getPublicKeyData().getBytes();
            return MessageDigest.getInstance("SHA-1").digest(key);
        } catch (GeneralSecurityException e) {
            return new byte[0];
        }
    }

    /** Two certificates of the same CA: same subject and key (how OpenSSL matches the ID's issuer hashes). */
    private static boolean sameIssuer(X509Certificate a, X509Certificate b) {
        return a.getSubjectX500Principal().equals(b.getSubjectX500Principal()) && Arrays.equals(keyHash(a), keyHash(b));
    }

    private static boolean delegated(X509Certificate signer) {
        try {
            List<String> eku = signer.getExtendedKeyUsage();
            return eku != null && eku.contains(OCSP_SIGNING);
        } catch (java.security.cert.CertificateParsingException e) {
            return false;
        }
    }

    private static X509Certificate issuerOf(X509Certificate x, List<X509Certificate> candidates) {
        for (X509Certificate c : candidates) {
            if (ChainVerifier.issued(c, x)) {
                try {
                    x.verify(c.getPublicKey());
                    return c;
                } catch (GeneralSecurityException e) {
                    // a namesake that did not sign it
                }
            }
        }
        return null;
    }

    /** OpenSSL's {@code OCSP_response_status_str}. */
    static String responseStatus(int status) {
        return switch (status) {
            case 0 -> "successful";
            case 1 -> "malformedrequest";
            case 2 -> "internalerror";
            case 3 -> "trylater";
            case 5 -> "sigrequired";
            case 6 -> "unauthorized";
            default -> "(UNKNOWN)";
        };
    }
}
