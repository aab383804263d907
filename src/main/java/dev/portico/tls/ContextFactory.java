package dev.portico.tls;

import dev.portico.config.ConfigException;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSslCachingX509KeyManagerFactory;
import io.netty.handler.ssl.OpenSslContextOption;
import io.netty.handler.ssl.OpenSslServerSessionContext;
import io.netty.handler.ssl.OpenSslSessionTicketKey;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLSessionContext;

/**
 * Builds an SSL context for one certificate/key pair of a server's material; a server with an
 * RSA and an ECDSA pair has one context for each, and the handshake takes the one the client can
 * use ({@link ClientHello}). Server cipher preference and the ticket switch are per connection
 * ({@link ServerNameSelector}).
 */
final class ContextFactory {
    private static final char[] STORE_PASSWORD = "portico".toCharArray();

    private ContextFactory() {
    }

    /**
     * The context for the material's {@code pair}-th certificate and key. ALPN offers
     * {@code h2} first when {@code http2} is on for the server, as nginx's
     * ngx_http_ssl_alpn_select does, and {@code http/1.1} in any case.
     */
    static SslContext build(TlsMaterial m, int pair, SslProvider provider, boolean http2) throws ConfigException {
        String[] alpn = http2 ? new String[] {"h2", "http/1.1"} : new String[] {"http/1.1"};
        KeyManagerFactory kmf = keyManagers(m, pair);
        SslContextBuilder b = SslContextBuilder.forServer(provider == SslProvider.OPENSSL ? new OpenSslCachingX509KeyManagerFactory(kmf) : kmf)
            .sslProvider(provider)
            .protocols(protocols(m.protocols()))
            .sessionTimeout(m.sessionTimeout())
            .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, alpn));
        if (m.clientAuth().mode() != VerifyMode.OFF) {
            // asked for in every handshake, accepted whatever it is, judged per request
            b.trustManager(new CertificateRequest(m.clientAuth().requestedIssuers())).clientAuth(ClientAuth.OPTIONAL);
        }
        if (provider == SslProvider.JDK) {
            List<String> ciphers = CipherList.forJdk(m.ciphers());
            if (ciphers != null) {
                b.ciphers(ciphers, SupportedCipherSuiteFilter.INSTANCE);
            }
            if (!m.ecdhCurve().equals("auto")) {
                throw new ConfigException("\"ssl_ecdh_curve " + m.ecdhCurve() + "\" needs the OpenSSL engine");
            }
            if (!m.ticketKeys().isEmpty()) {
                throw new ConfigException("\"ssl_session_ticket_key\" needs the OpenSSL engine");
            }
            if (!m.tickets()) {
                // the JDK decides tickets for the whole process (jdk.tls.server.enableSessionTicketExtension)
                throw new ConfigException("\"ssl_session_tickets off\" needs the OpenSSL engine");
            }
        } else {
            if (m.stapling().on()) {
                // lets each connection's engine carry a response (ServerNameSelector); sent only to clients that ask
                b.enableOcsp(true);
            }
            b.ciphers(CipherList.forOpenSsl(m.ciphers()));
            if (!m.ecdhCurve().equals("auto")) {
                b.option(OpenSslContextOption.GROUPS, m.ecdhCurve().split(":"));
            }
        }
        SslContext ctx;
        try {
            ctx = b.build();
        } catch (javax.net.ssl.SSLException | IllegalArgumentException e) {
            throw new ConfigException("SSL_CTX_new() failed (" + e.getMessage() + ")");
        }
        sessions(ctx.sessionContext(), m);
        return ctx;
    }

    private static KeyManagerFactory keyManagers(TlsMaterial m, int pair) throws ConfigException {
        X509Certificate[] chain = PemMaterial.certificates(m.certificates().get(pair), m.certificateNames().get(pair));
        PrivateKey key = PemMaterial.privateKey(m.keys().get(pair), m.keyNames().get(pair), m.passwords());
        return keyManagers(chain, key, m.certificateNames().get(pair), m.keyNames().get(pair));
    }

    /** A key manager holding one certificate chain and its key, refused when the key's type is not the certificate's. */
    static KeyManagerFactory keyManagers(X509Certificate[] chain, PrivateKey key, String certName, String keyName)
        throws ConfigException {
        if (!key.getAlgorithm().equals(chain[0].getPublicKey().getAlgorithm().replace("ECDSA", "EC"))) {
            throw new ConfigException("SSL_CTX_use_PrivateKey(\"" + keyName + "\") failed (key values mismatch)");
        }
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("pair", key, STORE_PASSWORD, chain);
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, STORE_PASSWORD);
            return kmf;
        } catch (java.security.GeneralSecurityException | java.io.IOException e) {
            throw new ConfigException("cannot use certificate \"" + certName + "\" (" + e.getMessage() + ")");
        }
    }

    /** nginx's protocol names are Java's; SSLv2 and SSLv3 are gone from both engines and are left out. */
    static String[] protocols(List<String> names) throws ConfigException {
        return protocols(names, "ssl_protocols");
    }

    static String[] protocols(List<String> names, String directive) throws ConfigException {
        List<String> out = new ArrayList<>();
        for (String p : names) {
            if (!p.startsWith("SSL")) {
                out.add(p);
            }
        }
        if (out.isEmpty()) {
            throw new ConfigException("no protocol of \"" + directive + "\" is supported (SSLv2 and SSLv3 are not)");
        }
        return out.toArray(new String[0]);
    }

    private static void sessions(SSLSessionContext sc, TlsMaterial m) throws ConfigException {
        sc.setSessionTimeout((int) Math.min(Integer.MAX_VALUE, m.sessionTimeout()));
        if (sc instanceof OpenSslServerSessionContext osc) {
            osc.setSessionCacheEnabled(m.cache().mode() == SessionCache.Mode.ON);
            if (m.cache().mode() == SessionCache.Mode.ON) {
                osc.setSessionCacheSize(m.cache().sessions());
            }
            if (!m.ticketKeys().isEmpty()) {
                List<OpenSslSessionTicketKey> keys = new ArrayList<>();
                for (String k : m.ticketKeys()) {
                    byte[] b = Base64.getDecoder().decode(k);
                    if (b.length != 48) {
                        throw new ConfigException("80-byte \"ssl_session_ticket_key\" files (AES-256) are not supported by the"
                            + " BoringSSL engine; use 48-byte keys (openssl rand 48)");
                    }
                    keys.add(new OpenSslSessionTicketKey(Arrays.copyOfRange(b, 0, 16), Arrays.copyOfRange(b, 16, 32),
                        Arrays.copyOfRange(b, 32, 48)));
                }
                osc.setTicketKeys(keys.toArray(new OpenSslSessionTicketKey[0]));
            }
        } else if (m.cache().mode() == SessionCache.Mode.ON) {
            sc.setSessionCacheSize(m.cache().sessions());
        }
    }
}
