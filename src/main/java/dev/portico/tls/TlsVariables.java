package dev.portico.tls;

import dev.portico.http.Exchange;
import dev.portico.variables.BuiltinVariables;
import io.netty.handler.ssl.CipherSuiteConverter;
import io.netty.handler.ssl.OpenSslSession;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslHandler;
import javax.net.ssl.SSLSession;

/**
 * The {@code $ssl_*} variables of ngx_http_ssl_module that describe the connection's TLS
 * session; on a plain connection they are not found (logged as "-"), as in nginx.
 */
final class TlsVariables {
    private TlsVariables() {
    }

    static void register(BuiltinVariables.Builder b) {
        b.builtin("ssl_protocol", ex -> {
            SSLSession s = session(ex);
            return s == null ? null : s.getProtocol();
        });
        b.builtin("ssl_cipher", TlsVariables::cipher);
        b.builtin("ssl_server_name", ex -> tls(ex) == null ? null : nullToEmpty(ex.connection().tlsServerName()));
        b.builtin("ssl_session_id", ex -> {
            SSLSession s = session(ex);
            return s == null ? null : hex(s.getId());
        });
        b.builtin("ssl_session_reused", ex -> {
            SslHandler h = tls(ex);
            return h == null ? null : reused(h) ? "r" : ".";
        });
        b.builtin("ssl_alpn_protocol", ex -> {
            SslHandler h = tls(ex);
            return h == null ? null : nullToEmpty(h.applicationProtocol());
        });
        b.builtin("ssl_curve", ex -> {
            SSLSession s = session(ex);
            return s instanceof OpenSslSession o ? nullToEmpty(o.getNamedGroup()) : s == null ? null : "";
        });
        // no 0-RTT data is ever accepted, so no request is early
        b.builtin("ssl_early_data", ex -> tls(ex) == null ? null : "");
        ClientCertVariables.register(b);
    }

    private static SslHandler tls(Exchange ex) {
        return ex.connection().channel().pipeline().get(SslHandler.class);
    }

    private static SSLSession session(Exchange ex) {
        SslHandler h = tls(ex);
        return h == null ? null : h.engine().getSession();
    }

    /** OpenSSL's name for the cipher, as nginx reports it ({@code ECDHE-RSA-AES128-GCM-SHA256}, {@code TLS_AES_128_GCM_SHA256}). */
    private static String cipher(Exchange ex) {
        SslHandler h = tls(ex);
        if (h == null) {
            return null;
        }
        String java = h.engine().getSession().getCipherSuite();
        if (java.startsWith("TLS_AES_") || java.startsWith("TLS_CHACHA20_")) {
            return java;
        }
        String openssl = CipherSuiteConverter.toOpenSsl(java, false);
        return openssl != null ? openssl : java;
    }

    /** BoringSSL says so; with the JDK's engine a session older than this connection's handshake was resumed. */
    private static boolean reused(SslHandler h) {
        if (h.engine() instanceof ReferenceCountedOpenSslEngine e) {
            return io.netty.internal.tcnative.SSL.isSessionReused(e.sslPointer());
        }
        SSLSession s = h.engine().getSession();
        return s.getCreationTime() < s.getLastAccessedTime() - 1;
    }

    private static String hex(byte[] id) {
        StringBuilder b = new StringBuilder(id.length * 2);
        for (byte x : id) {
            b.append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
        }
        return b.toString();
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
