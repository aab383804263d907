package dev.portico.proxy;

import static dev.portico.proxy.ByteScriptBackend.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.PortMap;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A backend's bytes beyond a framed response never answer anybody: the connection that carried
 * them is closed, never pooled, and the next client's request gets the backend's answer to its
 * own request. The attacker here controls one response of a backend (an echo with a wrong
 * Content-Length, say) and tries to plant a redirect with a session cookie in front of the next
 * response on the same keep-alive connection.
 */
class PooledResponseIntegrityTest {
    private static final String FORGED = "HTTP/1.1 302 Found\r\nLocation: http://evil.example/\r\n"
        + "Set-Cookie: session=attacker\r\nContent-Length: 0\r\n\r\n";
    /** A head without its blank line: the decoder would keep it and finish it with the next response. */
    private static final String PARTIAL = "HTTP/1.1 302 Found\r\nLocation: http://evil.example/\r\nSet-Cookie: session=attacker\r\n";

    private static final String CONF = "events {}\nhttp {\n upstream app { server 127.0.0.1:17081; keepalive 8; }\n"
        + " server { listen 127.0.0.1:8080;\n  location / { proxy_pass http://app; }\n }\n}\n";

    private static final String VICTIM = "GET /victim HTTP/1.1\r\nHost: a\r\n\r\n";

    /** The backend's honest answer, which the second client must get. */
    private static byte[] honest(String target) {
        return bytes("HTTP/1.1 200 OK\r\nContent-Length: " + target.length() + "\r\n\r\n" + target);
    }

    static Stream<Arguments> attacks() {
        String overlong = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
        String chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n";
        String headWithBody = "HTTP/1.1 200 OK\r\nContent-Length: " + FORGED.length() + "\r\n\r\n";
        String noContent = "HTTP/1.1 204 No Content\r\n\r\n";
        String notModified = "HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n";
        List<Arguments> out = new ArrayList<>();
        for (String stray : new String[] {FORGED, PARTIAL}) {
            String what = stray == FORGED ? "a whole response" : "a partial head";
            out.add(Arguments.of("body longer than Content-Length, " + what, "GET", overlong, stray, 200));
            out.add(Arguments.of("bytes after the last chunk, " + what, "GET", chunked, stray, 200));
            out.add(Arguments.of("a body on a HEAD response, " + what, "HEAD", headWithBody, stray, 200));
            out.add(Arguments.of("a body on a 204, " + what, "GET", noContent, stray, 204));
            out.add(Arguments.of("a body on a 304, " + what, "GET", notModified, stray, 304));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}, in one packet")
    @MethodSource("attacks")
    void strayBytesInTheSamePacketCloseTheConnection(String name, String method, String response, String stray, int status)
        throws Exception {
        check(method, List.of(bytes(response + stray)), status);
    }

    @ParameterizedTest(name = "{0}, in a later packet")
    @MethodSource("attacks")
    void strayBytesInALaterPacketCloseTheConnection(String name, String method, String response, String stray, int status)
        throws Exception {
        check(method, List.of(bytes(response), bytes(stray)), status);
    }

    private static void check(String method, List<byte[]> attack, int status) throws Exception {
        PortMap ports = new PortMap();
        try (ByteScriptBackend b = ByteScriptBackend.on(ports, 17081,
                 r -> r.target().equals("/attack") ? attack : List.of(honest(r.target())));
             TestPortico p = TestPortico.builder().ports(ports).conf(CONF).start()) {
            try (RawHttp attacker = new RawHttp(p.port(8080))) {
                RawHttp.Response r = attacker.send(method + " /attack HTTP/1.1\r\nHost: a\r\n\r\n")
                    .readResponse(method.equals("HEAD"));
                assertThat(r.status()).isEqualTo(status);
            }
            // every byte of the attack reached Portico, which closed the connection instead of keeping it
            assertThat(b.awaitClosedByPeer(1, 10_000)).as("backend connection 1 closed by Portico").isTrue();
            try (RawHttp victim = new RawHttp(p.port(8080))) {
                RawHttp.Response r = victim.send(VICTIM).readResponse(false);
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.bodyText()).isEqualTo("/victim");
                assertThat(r.header("set-cookie")).isNull();
                assertThat(r.header("location")).isNull();
            }
            assertThat(b.connections.get()).isEqualTo(2);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("attacks")
    void aPipelinedRequestRightBehindTheAttackGetsItsOwnAnswer(String name, String method, String response, String stray,
                                                              int status) throws Exception {
        PortMap ports = new PortMap();
        try (ByteScriptBackend b = ByteScriptBackend.on(ports, 17081,
                 r -> r.target().equals("/attack") ? List.of(bytes(response + stray)) : List.of(honest(r.target())));
             TestPortico p = TestPortico.builder().ports(ports).conf(CONF).start();
             RawHttp c = new RawHttp(p.port(8080))) {
            c.send(method + " /attack HTTP/1.1\r\nHost: a\r\n\r\n" + VICTIM);
            assertThat(c.readResponse(method.equals("HEAD")).status()).isEqualTo(status);
            RawHttp.Response r = c.readResponse(false);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo("/victim");
            assertThat(r.header("set-cookie")).isNull();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("idleBytes")
    void bytesSentWhileTheConnectionIsIdleCloseIt(String name, String stray) throws Exception {
        PortMap ports = new PortMap();
        try (ByteScriptBackend b = ByteScriptBackend.on(ports, 17081, r -> List.of(honest(r.target())));
             TestPortico p = TestPortico.builder().ports(ports).conf(CONF).start()) {
            try (RawHttp first = new RawHttp(p.port(8080))) {
                assertThat(first.send("GET /first HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false).bodyText()).isEqualTo("/first");
            }
            b.sendOn(1, stray);
            assertThat(b.awaitClosedByPeer(1, 10_000)).as("idle connection closed by Portico").isTrue();
            try (RawHttp victim = new RawHttp(p.port(8080))) {
                RawHttp.Response r = victim.send(VICTIM).readResponse(false);
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.bodyText()).isEqualTo("/victim");
                assertThat(r.header("set-cookie")).isNull();
            }
            assertThat(b.connections.get()).isEqualTo(2);
        }
    }

    static Stream<Arguments> idleBytes() {
        return Stream.of(
            Arguments.of("a whole response", FORGED),
            Arguments.of("a partial head", PARTIAL),
            Arguments.of("one byte", "H"),
            Arguments.of("an empty line", "\r\n"));
    }

    @Test
    void anOverlongBodyIsLoggedAsNginxDoes() throws Exception {
        PortMap ports = new PortMap();
        try (ByteScriptBackend b = ByteScriptBackend.on(ports, 17081,
                 r -> List.of(bytes("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA")));
             TestPortico p = TestPortico.builder().ports(ports).conf(CONF.replace("events {}", "error_log logs/error.log warn;\nevents {}")).start();
             RawHttp c = new RawHttp(p.port(8080))) {
            RawHttp.Response r = c.send("GET /x HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false);
            assertThat(r.bodyText()).isEqualTo("ok");
            assertThat(p.errorLog()).contains("[warn]")
                .contains("upstream sent more data than specified in \"Content-Length\" header while reading upstream");
        }
    }

    @Test
    void aCleanResponseKeepsTheConnection() throws Exception {
        PortMap ports = new PortMap();
        try (ByteScriptBackend b = ByteScriptBackend.on(ports, 17081, r -> List.of(honest(r.target())));
             TestPortico p = TestPortico.builder().ports(ports).conf(CONF).start()) {
            for (int i = 0; i < 3; i++) {
                try (RawHttp c = new RawHttp(p.port(8080))) {
                    assertThat(c.send("GET /n" + i + " HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false).bodyText())
                        .isEqualTo("/n" + i);
                }
            }
            assertThat(b.connections.get()).isEqualTo(1);
        }
    }
}
