package dev.portico.tls;

import dev.portico.config.ConfNode;
import dev.portico.config.ConfigException;
import io.netty.handler.ssl.CipherSuiteConverter;
import io.netty.internal.tcnative.SSL;
import io.netty.internal.tcnative.SSLContext;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ssl_ciphers}: an OpenSSL cipher string. With the BoringSSL engine the library itself
 * expands it (keywords, {@code +}, {@code !}, {@code @STRENGTH} and all, as OpenSSL does for
 * nginx) into the ordered list of ciphers it selects; TLS 1.3's suites are not chosen by it,
 * as in OpenSSL. The JDK's engine understands only cipher names, so there a list of names is
 * translated and an expression other than nginx's or OpenSSL's default is refused rather than
 * guessed at.
 */
final class CipherList {
    static final String NGINX_DEFAULT = "HIGH:!aNULL:!MD5";
    /** OpenSSL's own default list, {@code proxy_ssl_ciphers}' default; on the JDK's engine, the JDK's defaults. */
    static final String OPENSSL_DEFAULT = "DEFAULT";

    private CipherList() {
    }

    static void check(ConfNode node, String value) throws ConfigException {
        if (value.isBlank()) {
            throw node.error("invalid value \"" + value + "\"");
        }
    }

    /** TLS 1.3's suites, which {@code ssl_ciphers} does not choose (BoringSSL has no switch for them). */
    private static final List<String> TLS13 = List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256");

    /** The ciphers BoringSSL selects for the string, in its order, then TLS 1.3's. */
    static List<String> forOpenSsl(String value) throws ConfigException {
        io.netty.handler.ssl.OpenSsl.ensureAvailability();
        long ctx = 0;
        long ssl = 0;
        try {
            ctx = SSLContext.make(SSL.SSL_PROTOCOL_ALL, SSL.SSL_MODE_SERVER);
            if (!SSLContext.setCipherSuite(ctx, value, false)) {
                throw new ConfigException("SSL_CTX_set_cipher_list(\"" + value + "\") failed");
            }
            ssl = SSL.newSSL(ctx, true);
            List<String> out = new ArrayList<>();
            for (String c : SSL.getCiphers(ssl)) {
                if (!TLS13.contains(c)) {
                    out.add(c);
                }
            }
            out.addAll(TLS13);
            return out;
        } catch (ConfigException e) {
            throw e;
        } catch (Exception e) {
            throw new ConfigException("SSL_CTX_set_cipher_list(\"" + value + "\") failed (" + e.getMessage() + ")");
        } finally {
            if (ssl != 0) {
                SSL.freeSSL(ssl);
            }
            if (ctx != 0) {
                SSLContext.free(ctx);
            }
        }
    }

    /** The cipher names for the JDK's engine, or null for its defaults. */
    static List<String> forJdk(String value) throws ConfigException {
        if (value.equals(NGINX_DEFAULT) || value.equals(OPENSSL_DEFAULT)) {
            return null;
        }
        List<String> out = new ArrayList<>();
        for (String name : value.split("[:, ]+")) {
            if (name.isEmpty()) {
                continue;
            }
            if (name.startsWith("TLS_") || name.startsWith("SSL_")) {
                out.add(name);
                continue;
            }
            String java = CipherSuiteConverter.toJava(name, "TLS");
            if (java == null || !name.matches("[A-Z0-9]+(-[A-Z0-9]+)+")) {
                throw new ConfigException("the cipher expression \"" + value + "\" needs the OpenSSL engine;"
                    + " with the JDK's engine list cipher names (e.g. ECDHE-RSA-AES128-GCM-SHA256)");
            }
            out.add(java);
        }
        return out;
    }
}
