package dev.portico.tls;

import java.security.cert.X509Certificate;
import java.util.List;

/**
 * What the stapled response of one certificate depends on: the certificate and its issuer, the
 * chain it is served with (nginx's signers trusted as they are), the trusted store, the
 * responder and {@code ssl_stapling_verify}. Also the key its {@link Stapler} is kept by across
 * reloads: another cipher list leaves it, and the response fetched, as they were.
 *
 * @param name the certificate as nginx names it in log lines (the file's full path, or the
 *             {@code data:} value)
 */
record OcspTarget(X509Certificate certificate, X509Certificate issuer, List<X509Certificate> chain,
                  List<X509Certificate> store, ResponderUrl responder, boolean verify, String name) {
}
