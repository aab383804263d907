package dev.portico.tls;

import dev.portico.http.Exchange;
import dev.portico.variables.BuiltinVariables;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Date;
import java.util.Locale;
import java.util.function.Function;

/**
 * The {@code $ssl_client_*} variables, in the forms nginx gets from OpenSSL. On a plain
 * connection they are not found; on a TLS connection without a client certificate they are
 * empty, except {@code $ssl_client_verify}, which is {@code NONE}.
 */
final class ClientCertVariables {
    /** ASN1_TIME_print: "Sep  8 12:00:00 2025 GMT", the day padded with a space. */
    private static final DateTimeFormatter ASN1_TIME =
        DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss yyyy 'GMT'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private ClientCertVariables() {
    }

    static void register(BuiltinVariables.Builder b) {
        b.builtin("ssl_client_verify", ex -> {
            PeerCertificate p = peer(ex);
            return p == null ? null : p.verdict();
        });
        b.builtin("ssl_client_s_dn", certificate(c -> DistinguishedName.rfc2253(c.getSubjectX500Principal())));
        b.builtin("ssl_client_i_dn", certificate(c -> DistinguishedName.rfc2253(c.getIssuerX500Principal())));
        b.builtin("ssl_client_s_dn_legacy", certificate(c -> DistinguishedName.oneline(c.getSubjectX500Principal())));
        b.builtin("ssl_client_i_dn_legacy", certificate(c -> DistinguishedName.oneline(c.getIssuerX500Principal())));
        b.builtin("ssl_client_serial", certificate(c -> serial(c.getSerialNumber())));
        b.builtin("ssl_client_fingerprint", certificate(ClientCertVariables::fingerprint));
        b.builtin("ssl_client_raw_cert", certificate(ClientCertVariables::pem));
        b.builtin("ssl_client_cert", certificate(c -> tabbed(pem(c))));
        b.builtin("ssl_client_escaped_cert", certificate(c -> escaped(pem(c))));
        b.builtin("ssl_client_v_start", certificate(c -> ASN1_TIME.format(c.getNotBefore().toInstant())));
        b.builtin("ssl_client_v_end", certificate(c -> ASN1_TIME.format(c.getNotAfter().toInstant())));
        b.builtin("ssl_client_v_remain", certificate(c -> remain(c.getNotAfter(), new Date())));
    }

    /** The connection's client certificate state, or null on a plain connection. */
    private static PeerCertificate peer(Exchange ex) {
        TlsConnection tls = TlsConnection.of(ex.connection().channel());
        return tls == null ? null : tls.peer();
    }

    private static dev.portico.variables.Variable certificate(Function<X509Certificate, String> f) {
        return ex -> {
            PeerCertificate p = peer(ex);
            if (p == null) {
                return null;
            }
            X509Certificate c = p.certificate();
            return c == null ? "" : f.apply(c);
        };
    }

    /** i2a_ASN1_INTEGER: the magnitude's bytes in upper-case hex, "-" first when negative. */
    static String serial(BigInteger n) {
        byte[] bytes = n.abs().toByteArray();
        int start = bytes.length > 1 && bytes[0] == 0 ? 1 : 0;
        StringBuilder b = new StringBuilder(n.signum() < 0 ? "-" : "");
        for (int i = start; i < bytes.length; i++) {
            b.append(String.format("%02X", bytes[i] & 0xff));
        }
        return b.toString();
    }

    /** SHA-1 of the DER, lower-case hex without separators. */
    private static String fingerprint(X509Certificate c) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-1").digest(c.getEncoded());
            StringBuilder b = new StringBuilder(d.length * 2);
            for (byte x : d) {
                b.append(String.format("%02x", x & 0xff));
            }
            return b.toString();
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            return "";
        }
    }

    /** PEM_write_bio_X509: 64-column base64 between the markers, ending with a newline. */
    static String pem(X509Certificate c) {
        try {
            String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(c.getEncoded());
            return "-----BEGIN CERTIFICATE-----\n" + body + "\n-----END CERTIFICATE-----\n";
        } catch (CertificateEncodingException e) {
            return "";
        }
    }

    /** {@code $ssl_client_cert}: without the final newline, a tab after every other one (for a header value). */
    static String tabbed(String pem) {
        return pem.isEmpty() ? pem : pem.substring(0, pem.length() - 1).replace("\n", "\n\t");
    }

    /** nginx's NGX_ESCAPE_URI_COMPONENT: all but letters, digits and {@code -._~} as %XX. */
    static String escaped(String pem) {
        StringBuilder b = new StringBuilder(pem.length() + 64);
        for (byte x : pem.getBytes(StandardCharsets.US_ASCII)) {
            int c = x & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~') {
                b.append((char) c);
            } else {
                b.append('%').append(String.format("%02X", c));
            }
        }
        return b.toString();
    }

    /** Whole days until the certificate expires; 0 within the last day and after. */
    static String remain(Date notAfter, Date now) {
        long end = notAfter.getTime() / 1000;
        long t = now.getTime() / 1000;
        return end < t + 86400 ? "0" : Long.toString((end - t) / 86400);
    }
}
