package dev.portico.tls;

import dev.portico.config.ConfigException;
import dev.portico.core.BuildContext;
import dev.portico.observability.ErrorLog;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.ASN1IA5String;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;

/**
 * {@code ssl_stapling} at load, as nginx sets it up for each certificate of a server: the
 * {@code ssl_stapling_file} response when there is one; otherwise the certificate's issuer
 * (from the chain after it in {@code ssl_certificate}, else from the trusted store) and its
 * responder ({@code ssl_stapling_responder}, else the certificate's Authority Information Access
 * OCSP URL). A certificate missing either is served without stapling, with nginx's warning.
 */
final class Stapling {
    private Stapling() {
    }

    /** A stapler for each certificate pair of {@code m}, {@link Stapler#NONE} where nothing is stapled. */
    static List<Stapler> forServer(TlsMaterial m, SslProvider provider, BuildContext build) throws ConfigException {
        List<Stapler> out = new ArrayList<>();
        StaplingSettings st = m.stapling();
        boolean on = st.on();
        if (on && provider != SslProvider.OPENSSL) {
            // the JDK's engine staples only what it fetches itself, for the whole process (jdk.tls.server.enableStatusRequestExtension)
            ErrorLog.warn("\"ssl_stapling\" ignored, not supported by the JDK's TLS engine");
            on = false;
        }
        for (int i = 0; i < m.certificates().size(); i++) {
            out.add(on ? forPair(m, i, build) : Stapler.NONE);
        }
        return List.copyOf(out);
    }

    private static Stapler forPair(TlsMaterial m, int pair, BuildContext build) throws ConfigException {
        StaplingSettings st = m.stapling();
        if (st.file() != null) {
            return Stapler.fixed(st.fileResponse());
        }
        String configured = m.certificateNames().get(pair);
        String name = configured.startsWith("data:") ? configured
            : build.prefix().confDir().resolve(configured).normalize().toString();
        X509Certificate[] chain = PemMaterial.certificates(m.certificates().get(pair), configured);
        List<X509Certificate> extra = List.of(chain).subList(1, chain.length);
        X509Certificate issuer = issuer(chain[0], extra, st.store());
        if (issuer == null) {
            ErrorLog.warn("\"ssl_stapling\" ignored, issuer certificate not found for certificate \"" + name + "\"");
            return Stapler.NONE;
        }
        String url = st.responder() != null ? st.responder() : ocspUrl(chain[0]);
        if (url == null) {
            ErrorLog.warn("\"ssl_stapling\" ignored, no OCSP responder URL in the certificate \"" + name + "\"");
            return Stapler.NONE;
        }
        ResponderUrl responder;
        try {
            responder = ResponderUrl.parse(url);
        } catch (ResponderUrl.Invalid e) {
            ErrorLog.warn("\"ssl_stapling\" ignored, " + e.getMessage() + " in the certificate \"" + name + "\"");
            return Stapler.NONE;
        }
        OcspTarget target = new OcspTarget(chain[0], issuer, List.copyOf(extra), st.store(), responder, st.verify(), name);
        return Staplers.of(build.server()).stapler(target, build);
    }

    /** The issuer among the chain's certificates, else among the store's (one in force preferred), as OpenSSL looks. */
    static X509Certificate issuer(X509Certificate cert, List<X509Certificate> chain, List<X509Certificate> store) {
        for (X509Certificate c : chain) {
            if (ChainVerifier.issued(c, cert)) {
                return c;
            }
        }
        X509Certificate found = null;
        Date now = new Date();
        for (X509Certificate c : store) {
            if (ChainVerifier.issued(c, cert)) {
                if (!now.before(c.getNotBefore()) && !now.after(c.getNotAfter())) {
                    return c;
                }
                if (found == null) {
                    found = c;
                }
            }
        }
        return found;
    }

    /** The first OCSP URL of the certificate's Authority Information Access extension, or null. */
    static String ocspUrl(X509Certificate cert) {
        byte[] ext = cert.getExtensionValue(Extension.authorityInfoAccess.getId());
        if (ext == null) {
            return null;
        }
        try {
            AuthorityInformationAccess aia = AuthorityInformationAccess.getInstance(JcaX509ExtensionUtils.parseExtensionValue(ext));
            return Arrays.stream(aia.getAccessDescriptions())
                .filter(d -> d.getAccessMethod().equals(AccessDescription.id_ad_ocsp))
                .filter(d -> d.getAccessLocation().getTagNo() == GeneralName.uniformResourceIdentifier)
                .map(d -> ASN1IA5String.getInstance(d.getAccessLocation().getName()).getString())
                .findFirst().orElse(null);
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }
}
