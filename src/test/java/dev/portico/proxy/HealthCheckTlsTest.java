package dev.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.Await;
import dev.portico.testing.PortMap;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestCertificates;
import dev.portico.testing.TestPortico;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * health_check in a location that proxies to https:// backends probes them over TLS, with the
 * location's proxy_ssl_* settings: a backend whose certificate the location would refuse is
 * taken out of the group, and requests only reach the one that passes.
 */
class HealthCheckTlsTest {
    private static final TestCertificates CA = new TestCertificates();
    private static final TestCertificates OTHER_CA = new TestCertificates();

    @Test
    void probesSpeakTlsWithTheLocationsVerification() throws Exception {
        PortMap ports = new PortMap();
        try (TlsBackend good = TlsBackend.on(ports, 17091, CA.rsa("objects.test"));
             TlsBackend stranger = TlsBackend.on(ports, 17092, OTHER_CA.rsa("objects.test"));
             TestPortico p = TestPortico.builder().ports(ports).conf("""
                 events {}
                 http {
                   upstream objects { server 127.0.0.1:17091; server 127.0.0.1:17092; }
                   server {
                     listen 127.0.0.1:8080;
                     location / {
                       proxy_pass https://objects;
                       proxy_ssl_verify on;
                       proxy_ssl_trusted_certificate ca.crt;
                       proxy_ssl_name objects.test;
                       proxy_ssl_server_name on;
                       health_check interval=1 fails=1 passes=1;
                     }
                   }
                 }
                 """).file("conf/ca.crt", CA.caPem()).start()) {
            // probes, not clients: the good backend is asked over TLS with the location's SNI
            Await.until(Duration.ofSeconds(10), "a probe over TLS", () -> good.requests.get() >= 1);
            assertThat(good.handshakes).anyMatch(h -> "objects.test".equals(h.sni()));
            Await.until(Duration.ofSeconds(10), "the stranger's certificate refused by a probe",
                () -> stranger.failedHandshakes.get() >= 1);
            try (RawHttp c = new RawHttp(p.port(8080))) {
                for (int i = 0; i < 6; i++) {
                    assertThat(c.send("GET /x HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false).status()).isEqualTo(200);
                }
            }
            assertThat(stranger.requests.get()).isZero();
        }
    }
}
