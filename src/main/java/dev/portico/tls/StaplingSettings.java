package dev.portico.tls;

import dev.portico.config.ConfigException;
import dev.portico.config.directive.Settings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.cert.ocsp.OCSPResp;

/**
 * A server's {@code ssl_stapling} settings with their files read, part of its {@link TlsMaterial}
 * (the BoringSSL context is built for stapling when it is on). {@link #OFF} whatever else is set
 * while stapling is off, so that those settings alone do not churn contexts.
 *
 * @param file     the resolved {@code ssl_stapling_file}, or null
 * @param response that file's DER response in base64 (a String, for the record's equality)
 * @param store    the certificates OpenSSL's store would hold for nginx: where the issuer is
 *                 looked for when the chain lacks it, and what a delegated responder must
 *                 chain to under {@code ssl_stapling_verify}
 */
record StaplingSettings(boolean on, String file, String response, String responder, boolean verify,
                        List<X509Certificate> store) {
    static final StaplingSettings OFF = new StaplingSettings(false, null, null, null, false, List.of());

    static StaplingSettings read(Settings s, Path confDir) throws ConfigException {
        if (!s.get(TlsModule.STAPLING)) {
            return OFF;
        }
        String file = s.get(TlsModule.STAPLING_FILE);
        if (file == null) {
            return new StaplingSettings(true, null, null, s.get(TlsModule.STAPLING_RESPONDER), s.get(TlsModule.STAPLING_VERIFY),
                ClientAuthSettings.store(s, confDir));
        }
        // relative to the configuration's directory; read at load, stapled as it is (nginx checks only that it parses)
        Path p = confDir.resolve(file).normalize();
        byte[] der;
        try {
            der = Files.readAllBytes(p);
        } catch (IOException e) {
            throw new ConfigException("BIO_new_file(\"" + p + "\") failed (" + dev.portico.observability.Errno.of(e) + ")");
        }
        try {
            new OCSPResp(der);
        } catch (IOException | RuntimeException e) {
            throw new ConfigException("d2i_OCSP_RESPONSE_bio(\"" + p + "\") failed (not a DER OCSP response)");
        }
        return new StaplingSettings(true, p.toString(), Base64.getEncoder().encodeToString(der), null, false, List.of());
    }

    /** The {@code ssl_stapling_file} response, or null when the responder is asked. */
    byte[] fileResponse() {
        return response == null ? null : Base64.getDecoder().decode(response);
    }
}
