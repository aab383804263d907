package dev.portico.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPRespBuilder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPReq;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.bouncycastle.cert.ocsp.RespID;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/**
 * An OCSP responder for tests (the JDK's HttpServer): answers GET {@code /ocsp/.../base64-request}
 * and POSTed requests with what {@link #answer} makes of the request's certificate ID, as
 * {@code application/ocsp-response}; and the BouncyCastle-built responses to answer with.
 */
public final class TestOcspResponder implements AutoCloseable {
    private final HttpServer http;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private volatile Function<CertificateID, byte[]> answer;

    private TestOcspResponder(Function<CertificateID, byte[]> answer) throws IOException {
        this.answer = answer;
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/ocsp", ex -> {
            try {
                String path = ex.getRequestURI().getRawPath();
                requests.add(ex.getRequestMethod() + " " + path);
                byte[] der;
                if (ex.getRequestMethod().equals("POST")) {
                    der = readAll(ex.getRequestBody());
                } else {
                    // the request is the last segment, its slashes escaped
                    der = Base64.getDecoder().decode(URLDecoder.decode(path.substring(path.lastIndexOf('/') + 1), StandardCharsets.US_ASCII));
                }
                CertificateID id = new OCSPReq(der).getRequestList()[0].getCertID();
                byte[] body = this.answer.apply(id);
                ex.getResponseHeaders().set("Content-Type", "application/ocsp-response");
                ex.sendResponseHeaders(200, body.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(body);
                }
            } catch (RuntimeException e) {
                ex.sendResponseHeaders(500, -1);
            } finally {
                ex.close();
            }
        });
        http.start();
    }

    /** Started on a free loopback port, answering with {@code answer}. */
    public static TestOcspResponder start(Function<CertificateID, byte[]> answer) {
        try {
            return new TestOcspResponder(answer);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void answer(Function<CertificateID, byte[]> a) {
        this.answer = a;
    }

    public int port() {
        return http.getAddress().getPort();
    }

    public String url() {
        return "http://127.0.0.1:" + http.getAddress().getPort() + "/ocsp";
    }

    /** The requests so far, as {@code METHOD path}. */
    public List<String> requests() {
        return List.copyOf(requests);
    }

    @Override
    public void close() {
        http.stop(0);
    }

    /** Answers {@code status} for any certificate, signed by {@code ca} itself, valid for an hour. */
    public static Function<CertificateID, byte[]> signedBy(TestCertificates ca, CertificateStatus status) {
        return id -> response(id, status, ca.key(), ca.ca(), false, Duration.ofHours(1));
    }

    /** The certificate ID nginx asks about (SHA-1). */
    public static CertificateID id(X509Certificate cert, X509Certificate issuer) {
        try {
            return new CertificateID(new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1),
                new JcaX509CertificateHolder(issuer), cert.getSerialNumber());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A successful response giving {@code status} for {@code id}, from a minute ago for
     * {@code validFor}, signed with {@code key} by {@code signer} (named in the responder ID,
     * and included when {@code include}).
     */
    public static byte[] response(CertificateID id, CertificateStatus status, PrivateKey key, X509Certificate signer, boolean include,
                                  Duration validFor) {
        try {
            BasicOCSPRespBuilder b = new BasicOCSPRespBuilder(new RespID(X500Name.getInstance(signer.getSubjectX500Principal().getEncoded())));
            Date thisUpdate = new Date(System.currentTimeMillis() - 60_000);
            b.addResponse(id, status, thisUpdate, new Date(thisUpdate.getTime() + validFor.toMillis()), null);
            X509CertificateHolder[] chain = include ? new X509CertificateHolder[] {new JcaX509CertificateHolder(signer)} : null;
            return new OCSPRespBuilder().build(OCSPRespBuilder.SUCCESSFUL,
                b.build(new JcaContentSignerBuilder("SHA256withRSA").build(key), chain, new Date())).getEncoded();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** An unsuccessful response ({@code tryLater}, say), which carries no basic response. */
    public static byte[] unsuccessful(int status) {
        try {
            return new OCSPRespBuilder().build(status, null).getEncoded();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The response with the last byte of its signature changed (responses without certificates end with it). */
    public static byte[] corrupted(byte[] der) {
        byte[] out = der.clone();
        out[out.length - 1] ^= 1;
        return out;
    }

    /** Parsed, for assertions. */
    public static OCSPResp parse(byte[] der) {
        try {
            return new OCSPResp(der);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
    }
}
