package dev.portico.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portico.testing.PortMap;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Binding listeners at start: nginx's defaults and its bind() error. */
class ListenerBindTest {
    @Test
    void ipv6WildcardAndAnIpv4AddressOnOnePortBindSideBySide() throws IOException {
        // nginx's ipv6only=on default: [::]:80 takes IPv6 only, so an IPv4 socket on port 80 binds beside it
        String conf = """
            events {}
            http { server { listen 127.0.0.1:18080; listen [::]:18080; return 200 "both\\n"; } }
            """;
        try (TestPortico p = TestPortico.start(conf)) {
            assertThat(get("127.0.0.1", p.port(18080))).endsWith("both\n");
            assertThat(get("::1", p.port(18080))).endsWith("both\n");
        }
    }

    @Test
    void aBusyPortFailsTheStartWithNginxsMessage() throws IOException {
        PortMap ports = new PortMap();
        try (ServerSocket taken = new ServerSocket(ports.get(18080), 1, InetAddress.getByName("127.0.0.1"))) {
            assertThatThrownBy(() -> TestPortico.builder().ports(ports)
                .conf("events {}\nhttp { server { listen 127.0.0.1:18080; } }\n").start())
                .hasMessageContaining("bind() to 127.0.0.1:" + ports.get(18080) + " failed (98: Address already in use)");
        }
    }

    @Test
    void ipv6AddressesInMessagesAreWrittenShort() {
        assertThat(PorticoServer.compressV6("0:0:0:0:0:0:0:0")).isEqualTo("::");
        assertThat(PorticoServer.compressV6("0:0:0:0:0:0:0:1")).isEqualTo("::1");
        assertThat(PorticoServer.compressV6("2001:db8:0:0:1:0:0:1")).isEqualTo("2001:db8::1:0:0:1");
        assertThat(PorticoServer.compressV6("2001:db8:1:2:3:4:5:6")).isEqualTo("2001:db8:1:2:3:4:5:6");
    }

    private static String get(String host, int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getByName(host), port), 5000);
            s.setSoTimeout(5000);
            s.getOutputStream().write("GET / HTTP/1.0\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
    }
}
