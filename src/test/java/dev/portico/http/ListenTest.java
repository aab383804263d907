package dev.portico.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.portico.testing.PortMap;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The listen directive's address forms and options, and how servers share addresses. */
class ListenTest {
    private static TestPortico portico;
    private static Path socket;

    @BeforeAll
    static void start() throws IOException {
        socket = Files.createTempDirectory("portico-listen").resolve("portico.sock");
        PortMap ports = new PortMap();
        portico = TestPortico.builder().ports(ports).conf("""
            events {}
            http {
                server { listen 127.0.0.1:8080; return 200 "specific\\n"; }
                server { listen 8081; return 200 "bare port\\n"; }
                server { listen *:8082; return 200 "star\\n"; }
                server { listen localhost:8083; return 200 "localhost\\n"; }
                server { listen unix:SOCKET; return 200 "unix $remote_addr\\n"; }

                server { listen 8090; return 200 "wildcard\\n"; }
                server { listen 127.0.0.1:8090; return 200 "127.0.0.1 through the wildcard socket\\n"; }

                server { listen 127.0.0.1:8091 bind; return 200 "127.0.0.1 on its own socket\\n"; }
                server { listen 127.0.0.2:P8091; return 200 "127.0.0.2\\n"; }

                server { listen 127.0.0.1:8092; server_name first; return 200 "first\\n"; }
                server { listen 127.0.0.1:8092 default_server; server_name second; return 200 "second\\n"; }
                server { listen 127.0.0.1:8092; server_name third; return 200 "third\\n"; }

                server { listen 127.0.0.1:8093; server_name one; return 200 "one\\n"; }
                server { listen 127.0.0.1:8093; server_name two; return 200 "two\\n"; }

                server {
                    listen 127.0.0.1:8094 reuseport backlog=64 rcvbuf=64k sndbuf=64k so_keepalive=on deferred;
                    return 200 "options\\n";
                }
            }
            """.replace("SOCKET", socket.toString()).replace("P8091", Integer.toString(ports.get(8091)))).start();
    }

    @AfterAll
    static void stop() {
        portico.close();
    }

    private static String body(String host, int port, String hostHeader) {
        try (RawHttp c = new RawHttp(host, port)) {
            return c.send("GET / HTTP/1.1\r\nHost: " + hostHeader + "\r\n\r\n").readResponse(false).bodyText();
        }
    }

    static Stream<Arguments> forms() {
        return Stream.of(
            Arguments.of("127.0.0.1:8080", 8080, "specific"),
            Arguments.of("8081 (all IPv4 addresses)", 8081, "bare port"),
            Arguments.of("*:8082", 8082, "star"),
            Arguments.of("localhost:8083", 8083, "localhost"));
    }

    @ParameterizedTest(name = "listen {0}")
    @MethodSource("forms")
    void eachAddressFormAnswers(String form, int port, String expected) {
        assertThat(body("127.0.0.1", portico.port(port), "x")).isEqualTo(expected + "\n");
    }

    @Test
    void aWildcardListenAnswersOnEveryLocalIpv4Address() {
        assertThat(body("127.0.0.2", portico.port(8081), "x")).isEqualTo("bare port\n");
    }

    @Test
    void aUnixSocketAnswers() throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.write(ByteBuffer.wrap("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer buf = ByteBuffer.allocate(4096);
            StringBuilder out = new StringBuilder();
            while (ch.read(buf) >= 0) {
                buf.flip();
                out.append(StandardCharsets.US_ASCII.decode(buf));
                buf.clear();
            }
            assertThat(out.toString()).startsWith("HTTP/1.1 200 OK\r\n").endsWith("\r\n\r\nunix unix:\n");
        }
    }

    @Test
    void aSpecificAddressWithoutOptionsIsServedThroughTheWildcardSocket() {
        int port = portico.port(8090);
        assertThat(body("127.0.0.1", port, "x")).isEqualTo("127.0.0.1 through the wildcard socket\n");
        assertThat(body("127.0.0.2", port, "x")).isEqualTo("wildcard\n");
        assertThat(boundOn(port)).hasSize(1);
    }

    @Test
    void specificAddressesWithoutAWildcardGetASocketEach() {
        int port = portico.port(8091);
        assertThat(body("127.0.0.1", port, "x")).isEqualTo("127.0.0.1 on its own socket\n");
        assertThat(body("127.0.0.2", port, "x")).isEqualTo("127.0.0.2\n");
        assertThat(boundOn(port)).hasSize(2);
    }

    @Test
    void bindNextToAWildcardOnTheSamePortFailsAsNginxDoesOnLinux() {
        // Linux refuses a wildcard socket beside a listening specific one on the same port; nginx binds
        // the explicit address first and reports the wildcard
        PortMap ports = new PortMap();
        int port = ports.get(8097);
        assertThatThrownBy(() -> TestPortico.builder().ports(ports).conf("""
                events {}
                http {
                    server { listen 8097; return 200 "wildcard\\n"; }
                    server { listen 127.0.0.1:8097 bind; return 200 "own\\n"; }
                }
                """).start().close())
            .hasMessageContaining("bind() to 0.0.0.0:" + port + " failed (98: Address already in use)");
    }

    static Stream<Arguments> defaults() {
        return Stream.of(
            Arguments.of(8092, "first", "first"),
            Arguments.of(8092, "third", "third"),
            Arguments.of(8092, "unknown", "second"),
            Arguments.of(8093, "two", "two"),
            Arguments.of(8093, "unknown", "one"));
    }

    @ParameterizedTest(name = "port {0}, Host {1}: server {2}")
    @MethodSource("defaults")
    void serversShareAnAddressAndTheDefaultServerTakesUnknownNames(int port, String host, String expected) {
        assertThat(body("127.0.0.1", portico.port(port), host)).isEqualTo(expected + "\n");
    }

    @Test
    void reuseportLetsAnotherReuseportSocketBindTheSamePort() throws IOException {
        int port = portico.port(8094);
        assertThat(body("127.0.0.1", port, "x")).isEqualTo("options\n");
        try (ServerSocketChannel other = ServerSocketChannel.open()) {
            other.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            other.bind(new InetSocketAddress("127.0.0.1", port));
        }
        try (ServerSocketChannel other = ServerSocketChannel.open()) {
            // a socket without SO_REUSEPORT cannot join
            assertThat(bindFails(other, new InetSocketAddress("127.0.0.1", port))).isTrue();
        }
    }

    private static boolean bindFails(ServerSocketChannel ch, SocketAddress a) {
        try {
            ch.bind(a);
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private static List<SocketAddress> boundOn(int port) {
        return portico.server().boundAddresses().stream()
            .filter(a -> a instanceof InetSocketAddress i && i.getPort() == port).toList();
    }

    private static boolean ipv6Loopback() {
        try {
            NetworkInterface lo = NetworkInterface.getByInetAddress(InetAddress.getByName("::1"));
            return lo != null;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void ipv6AddressesAndIpv6onlyLetTheIpv4WildcardShareThePort() {
        assumeTrue(ipv6Loopback(), "no IPv6 loopback on this machine: IPv6 listen forms not tested");
        // PortMap maps "[::]:8096" and "listen 8096" to the same free port
        try (TestPortico p = TestPortico.start("""
                events {}
                http {
                    server { listen [::1]:8095; return 200 "v6 loopback $server_addr\\n"; }
                    server { listen [::]:8096 ipv6only=on; return 200 "v6 wildcard\\n"; }
                    server { listen 8096; return 200 "v4 wildcard\\n"; }
                }
                """)) {
            int wild = p.port(8096);
            assertThat(body("::1", p.port(8095), "x")).isEqualTo("v6 loopback ::1\n");
            assertThat(body("::1", wild, "x")).isEqualTo("v6 wildcard\n");
            assertThat(body("127.0.0.1", wild, "x")).isEqualTo("v4 wildcard\n");
        }
    }

    @Test
    void workerConnectionsCapsOpenConnectionsPerEventLoop() {
        // the refusal and alert when every connection is busy: WorkerConnectionsTest
        try (TestPortico p = TestPortico.start("""
                worker_processes 1;
                events { worker_connections 2; }
                http { server { listen 127.0.0.1:8080; return 200 "ok\\n"; } }
                """);
             RawHttp a = new RawHttp(p.port(8080));
             RawHttp b = new RawHttp(p.port(8080))) {
            a.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false);
            b.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false);
            try (RawHttp third = new RawHttp(p.port(8080))) {
                // as nginx, the oldest idle keep-alive connection is closed to make room
                assertThat(third.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false).status()).isEqualTo(200);
                assertThat(a.closedByServer(3000)).isTrue();
            }
        }
    }
}
