package dev.portico.tls;

import dev.portico.config.ConfigException;
import dev.portico.observability.Errno;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Everything a context for backends is made of, files already read: locations whose
 * {@code proxy_ssl_*} settings come to equal material share one context (and its session
 * cache), and the keep-alive cache tells connections apart by it. As in nginx, the trusted
 * certificates and the CRL are read only when {@code proxy_ssl_verify} is on.
 */
record ClientTlsMaterial(String engine, boolean verify, String trusted, String trustedName, int depth, String crl,
                         String crlName, List<String> protocols, String ciphers, String certificate, String key,
                         String certificateName, String keyName, List<String> passwords) {

    static ClientTlsMaterial read(ClientTls.Options o, Path conf, String engine) throws ConfigException {
        String trusted = null;
        String trustedName = null;
        String crl = null;
        String crlName = null;
        if (o.verify()) {
            if (o.trustedCertificate() == null) {
                throw new ConfigException("no proxy_ssl_trusted_certificate for proxy_ssl_verify");
            }
            trustedName = conf.resolve(o.trustedCertificate()).normalize().toString();
            trusted = file(trustedName, "SSL_CTX_load_verify_locations");
            if (o.crl() != null) {
                crlName = conf.resolve(o.crl()).normalize().toString();
                crl = file(crlName, "X509_LOOKUP_load_file");
            }
        }
        String cert = null;
        String key = null;
        if (o.certificate() != null) {
            if (o.certificateKey() == null) {
                throw new ConfigException("no \"proxy_ssl_certificate_key\" is defined for certificate \"" + o.certificate() + "\"");
            }
            cert = PemMaterial.read(o.certificate(), conf, "certificate");
            key = PemMaterial.read(o.certificateKey(), conf, "certificate key");
        }
        List<String> passwords = o.passwordFile() == null ? List.of() : PemMaterial.passwords(conf.resolve(o.passwordFile()).normalize());
        return new ClientTlsMaterial(engine, o.verify(), trusted, trustedName, o.verifyDepth(), crl, crlName,
            List.copyOf(o.protocols()), o.ciphers(), cert, key, o.certificate(), o.certificateKey(), passwords);
    }

    /**
     * The same settings with the client certificate and key a request names (full paths, or
     * {@code data:} values), read now: on a loader thread, never on an event loop.
     */
    ClientTlsMaterial withCertificate(String certificatePath, String keyPath) throws ConfigException {
        String cert = PemMaterial.read(certificatePath, Path.of("/"), "certificate");
        String k = PemMaterial.read(keyPath, Path.of("/"), "certificate key");
        return new ClientTlsMaterial(engine, verify, trusted, trustedName, depth, crl, crlName, protocols, ciphers, cert, k,
            certificatePath, keyPath, passwords);
    }

    /** A file's text, failing with the OpenSSL call nginx names for it (with the full path, as nginx). */
    private static String file(String path, String call) throws ConfigException {
        try {
            return Files.readString(Path.of(path), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new ConfigException(call + "(\"" + path + "\") failed (" + Errno.of(e) + ")");
        }
    }
}
