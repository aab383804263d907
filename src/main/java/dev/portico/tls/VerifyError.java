package dev.portico.tls;

/**
 * The certificate verification errors Portico reports, with OpenSSL's numbers and texts
 * ({@code X509_verify_cert_error_string}, OpenSSL 3), which nginx puts in
 * {@code $ssl_client_verify} ({@code FAILED:reason}) and in its log line.
 */
enum VerifyError {
    UNABLE_TO_GET_ISSUER_CERT(2, "unable to get issuer certificate"),
    UNABLE_TO_GET_CRL(3, "unable to get certificate CRL"),
    CERT_NOT_YET_VALID(9, "certificate is not yet valid"),
    CERT_HAS_EXPIRED(10, "certificate has expired"),
    CRL_NOT_YET_VALID(11, "CRL is not yet valid"),
    CRL_HAS_EXPIRED(12, "CRL has expired"),
    DEPTH_ZERO_SELF_SIGNED_CERT(18, "self-signed certificate"),
    SELF_SIGNED_CERT_IN_CHAIN(19, "self-signed certificate in certificate chain"),
    UNABLE_TO_GET_ISSUER_CERT_LOCALLY(20, "unable to get local issuer certificate"),
    UNABLE_TO_VERIFY_LEAF_SIGNATURE(21, "unable to verify the first certificate"),
    CERT_CHAIN_TOO_LONG(22, "certificate chain too long"),
    CERT_REVOKED(23, "certificate revoked"),
    INVALID_PURPOSE(26, "unsuitable certificate purpose");

    final int code;
    final String text;

    VerifyError(int code, String text) {
        this.code = code;
        this.text = text;
    }

    /** The errors {@code optional_no_ca} lets through: only that no trusted CA vouches for the chain (nginx's ngx_ssl_verify_error_optional). */
    boolean untrustedIssuerOnly() {
        return this == DEPTH_ZERO_SELF_SIGNED_CERT || this == SELF_SIGNED_CERT_IN_CHAIN
            || this == UNABLE_TO_GET_ISSUER_CERT_LOCALLY || this == UNABLE_TO_VERIFY_LEAF_SIGNATURE;
    }
}
