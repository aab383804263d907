package dev.portico.tls;

import dev.portico.config.ConfigException;
import dev.portico.config.directive.Settings;
import dev.portico.core.BuildContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Everything one server's SSL context is made of, with files already read: two servers (or two
 * configurations, across a reload) with equal material share one context, and with it the
 * session cache and ticket keys, so that an unchanged certificate keeps resuming sessions after
 * a reload as nginx's shared cache does, while a renewed one takes effect at once.
 */
record TlsMaterial(String engine, List<String> certificates, List<String> keys, List<String> certificateNames,
                   List<String> keyNames, List<String> passwords, List<String> protocols, String ciphers,
                   boolean preferServerCiphers, String ecdhCurve, SessionCache cache, long sessionTimeout,
                   boolean tickets, List<String> ticketKeys, ClientAuthSettings clientAuth, StaplingSettings stapling) {

    /** The material of a server with certificates, read now; null when it has none. */
    static TlsMaterial read(Settings s, BuildContext build, String engine) throws ConfigException {
        Path conf = build.prefix().confDir();
        List<String> certs = s.get(TlsModule.CERTIFICATE);
        if (certs == null || certs.isEmpty()) {
            return null;
        }
        return read(s, conf, engine, java.util.function.UnaryOperator.identity(), StaplingSettings.read(s, conf));
    }

    /** True when the certificate names hold {@code $ssl_server_name}: they are read per server name, at handshakes. */
    static boolean perServerName(Settings s) {
        List<String> certs = s.get(TlsModule.CERTIFICATE);
        List<String> keys = s.get(TlsModule.CERTIFICATE_KEY);
        return certs != null && certs.stream().anyMatch(TlsModule::namesServer)
            || keys != null && keys.stream().anyMatch(TlsModule::namesServer);
    }

    /**
     * The material with each certificate and key name passed through {@code names} first (the
     * server name put in). Such certificates are not stapled: as in nginx, whose stapling setup
     * at load finds no certificate to staple for.
     */
    static TlsMaterial read(Settings s, Path conf, String engine, java.util.function.UnaryOperator<String> names)
        throws ConfigException {
        return read(s, conf, engine, names, StaplingSettings.OFF);
    }

    private static TlsMaterial read(Settings s, Path conf, String engine, java.util.function.UnaryOperator<String> names,
                                    StaplingSettings stapling) throws ConfigException {
        List<String> certs = s.get(TlsModule.CERTIFICATE);
        if (certs == null || certs.isEmpty()) {
            return null;
        }
        List<String> keys = s.get(TlsModule.CERTIFICATE_KEY);
        if (keys == null || keys.size() < certs.size()) {
            throw new ConfigException("no \"ssl_certificate_key\" is defined for certificate \"" + certs.get(keys == null ? 0 : keys.size()) + "\"");
        }
        certs = certs.stream().map(names).toList();
        keys = keys.stream().map(names).toList();
        List<String> certPem = new ArrayList<>();
        List<String> keyPem = new ArrayList<>();
        for (int i = 0; i < certs.size(); i++) {
            certPem.add(PemMaterial.read(certs.get(i), conf, "certificate"));
            keyPem.add(PemMaterial.read(keys.get(i), conf, "certificate key"));
        }
        String pwFile = s.get(TlsModule.PASSWORD_FILE);
        List<String> passwords = pwFile == null ? List.of() : PemMaterial.passwords(conf.resolve(pwFile).normalize());
        List<String> ticketKeys = new ArrayList<>();
        List<String> ticketFiles = s.get(TlsModule.SESSION_TICKET_KEY);
        if (ticketFiles != null) {
            for (String f : ticketFiles) {
                Path p = conf.resolve(f).normalize();
                try {
                    byte[] b = Files.readAllBytes(p);
                    if (b.length != 48 && b.length != 80) {
                        throw new ConfigException("\"" + p + "\" must be 48 or 80 bytes");
                    }
                    ticketKeys.add(Base64.getEncoder().encodeToString(b));
                } catch (IOException e) {
                    throw new ConfigException("cannot open \"" + p + "\" (" + dev.portico.observability.Errno.of(e) + ")");
                }
            }
        }
        return new TlsMaterial(engine, List.copyOf(certPem), List.copyOf(keyPem), List.copyOf(certs), List.copyOf(keys.subList(0, certs.size())),
            passwords, s.get(TlsModule.PROTOCOLS), s.get(TlsModule.CIPHERS), s.get(TlsModule.PREFER_SERVER_CIPHERS),
            s.get(TlsModule.ECDH_CURVE), s.get(TlsModule.SESSION_CACHE), s.get(TlsModule.SESSION_TIMEOUT),
            s.get(TlsModule.SESSION_TICKETS), List.copyOf(ticketKeys), ClientAuthSettings.read(s, conf), stapling);
    }
}
