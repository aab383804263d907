package dev.portico.tls;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;

/**
 * Which TLS implementation terminates connections and makes those to backends: BoringSSL
 * through netty-tcnative where its native library loads (Linux x86_64), the JDK's own engine
 * elsewhere. The system property {@code portico.tls.engine} ({@code openssl} or {@code jdk})
 * forces one, for tests and for comparing the two.
 */
public final class TlsEngine {
    private TlsEngine() {
    }

    /** The engine in force; IllegalStateException when the forced one cannot load. */
    public static SslProvider provider() {
        String forced = System.getProperty("portico.tls.engine", "");
        if (forced.equalsIgnoreCase("jdk")) {
            return SslProvider.JDK;
        }
        if (forced.equalsIgnoreCase("openssl")) {
            if (!OpenSsl.isAvailable()) {
                throw new IllegalStateException("the OpenSSL engine is not available: " + OpenSsl.unavailabilityCause());
            }
            return SslProvider.OPENSSL;
        }
        return OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
    }

    /** For {@code -V} ("built with ...") and the start-up log: the engine and why, when it is not BoringSSL. */
    public static String describe() {
        try {
            if (provider() == SslProvider.OPENSSL) {
                return OpenSsl.versionString() + " (netty-tcnative)";
            }
        } catch (IllegalStateException e) {
            return "no TLS engine (" + e.getMessage() + ")";
        }
        Throwable why = OpenSsl.unavailabilityCause();
        return "the JDK's TLS engine (Java " + Runtime.version() + ")"
            + (why == null ? "" : "; BoringSSL unavailable: " + why.getMessage());
    }
}
