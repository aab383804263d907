package dev.portico.tls;

import java.security.cert.X509Certificate;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;

/** The key identifiers of a certificate, which tell issuers with the same name apart when building a chain. */
final class KeyIds {
    private KeyIds() {
    }

    /** The authority key identifier's key id, or null. */
    static byte[] authorityKeyId(X509Certificate x) {
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

    /** The subject key identifier, or null. */
    static byte[] subjectKeyId(X509Certificate x) {
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
