package dev.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.PortMap;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The request head the backend receives: nginx 1.30's defaults, proxy_set_header, hop-by-hop removal. */
class RequestHeadersTest {
    private static final String ECHO_OK = "ok";

    private static Backend.Request proxied(String locationBody, String request) throws Exception {
        return proxied("", locationBody, request);
    }

    private static Backend.Request proxied(String serverBody, String locationBody, String request) throws Exception {
        PortMap ports = new PortMap();
        try (Backend b = Backend.on(ports, 17081, ex -> ex.send(200, ECHO_OK))) {
            String conf = "events {}\nhttp {\n server {\n listen 127.0.0.1:8080; server_name front.test;\n" + serverBody
                + "\n location / {\n" + locationBody + "\n }\n }\n upstream backend { server 127.0.0.1:17081; }\n}\n";
            try (TestPortico p = TestPortico.builder().ports(ports).conf(conf).start(); RawHttp c = new RawHttp(p.port(8080))) {
                RawHttp.Response r = c.send(request).readResponse(false);
                if (r.status() == 100) {
                    r = c.readResponse(false);
                }
                assertThat(r.status()).as(p.errorLog()).isEqualTo(200);
                return b.take();
            }
        }
    }

    @Test
    void defaultsAreHostProxyHostHttp11AndNoConnectionField() throws Exception {
        Backend.Request r = proxied("proxy_pass http://backend;",
            "GET / HTTP/1.1\r\nHost: front.test\r\nConnection: keep-alive\r\nKeep-Alive: 300\r\nTE: trailers\r\n"
                + "Upgrade: websocket\r\nProxy-Connection: keep-alive\r\nAccept: */*\r\n\r\n");
        assertThat(r.version()).isEqualTo("HTTP/1.1");
        assertThat(r.header("Host")).isEqualTo("backend");
        assertThat(r.header("Connection")).isNull();
        assertThat(r.header("Keep-Alive")).isNull();
        assertThat(r.header("TE")).isNull();
        assertThat(r.header("Upgrade")).isNull();
        assertThat(r.header("Proxy-Connection")).isNull();
        assertThat(r.header("Accept")).isEqualTo("*/*");
        assertThat(r.headerNames().get(0)).isEqualTo("Host");
    }

    @Test
    void proxyHostCarriesAnExplicitNonDefaultPort() throws Exception {
        PortMap ports = new PortMap();
        try (Backend b = Backend.on(ports, 17081, ex -> ex.send(200, ECHO_OK))) {
            String conf = "events {}\nhttp { server { listen 127.0.0.1:8080; location / { proxy_pass http://localhost:17081;"
                + " proxy_set_header X-Port $proxy_port; } } }\n";
            try (TestPortico p = TestPortico.builder().ports(ports).conf(conf).start(); RawHttp c = new RawHttp(p.port(8080))) {
                c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n").readResponse(false);
                Backend.Request r = b.take();
                assertThat(r.header("Host")).isEqualTo("localhost:" + ports.get(17081));
                assertThat(r.header("X-Port")).isEqualTo(Integer.toString(ports.get(17081)));
            }
        }
    }

    @Test
    void fieldsListedInConnectionAreNotForwarded() throws Exception {
        Backend.Request r = proxied("proxy_pass http://backend;",
            "GET / HTTP/1.1\r\nHost: front.test\r\nConnection: close, X-Secret-Hop\r\nX-Secret-Hop: 1\r\nX-Kept: 2\r\n\r\n");
        assertThat(r.header("X-Secret-Hop")).isNull();
        assertThat(r.header("X-Kept")).isEqualTo("2");
    }

    @Test
    void setHeaderOverridesAndAnEmptyValueRemoves() throws Exception {
        Backend.Request r = proxied("""
            proxy_pass http://backend;
            proxy_set_header Host $host;
            proxy_set_header X-Real-IP $remote_addr;
            proxy_set_header Accept-Encoding "";
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            """, "GET / HTTP/1.1\r\nHost: Front.Test:8080\r\nAccept-Encoding: gzip\r\nX-Forwarded-For: 10.0.0.1\r\n\r\n");
        assertThat(r.header("Host")).isEqualTo("front.test");
        assertThat(r.header("X-Real-IP")).isEqualTo("127.0.0.1");
        assertThat(r.header("Accept-Encoding")).isNull();
        assertThat(r.header("X-Forwarded-For")).isEqualTo("10.0.0.1, 127.0.0.1");
        assertThat(r.headerNames().subList(0, 3)).containsExactly("Host", "X-Real-IP", "X-Forwarded-For");
    }

    @Test
    void setHeaderIsInheritedOnlyWhenTheLevelHasNone() throws Exception {
        Backend.Request inherited = proxied("proxy_set_header X-From-Server yes;", "proxy_pass http://backend;",
            "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(inherited.header("X-From-Server")).isEqualTo("yes");
        Backend.Request own = proxied("proxy_set_header X-From-Server yes;",
            "proxy_pass http://backend; proxy_set_header X-From-Location yes;", "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(own.header("X-From-Server")).isNull();
        assertThat(own.header("X-From-Location")).isEqualTo("yes");
    }

    @Test
    void upgradeAndConnectionPassOnlyWhenSetExplicitly() throws Exception {
        Backend.Request r = proxied("""
            proxy_pass http://backend;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection "upgrade";
            """, "GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
        assertThat(r.header("Upgrade")).isEqualTo("websocket");
        assertThat(r.header("Connection")).isEqualTo("upgrade");
    }

    @Test
    void passRequestHeadersOffSendsOnlyConfiguredFields() throws Exception {
        Backend.Request r = proxied("proxy_pass http://backend; proxy_pass_request_headers off;",
            "GET / HTTP/1.1\r\nHost: a\r\nAccept: */*\r\nCookie: c=1\r\n\r\n");
        assertThat(r.header("Host")).isEqualTo("backend");
        assertThat(r.header("Accept")).isNull();
        assertThat(r.header("Cookie")).isNull();
    }

    @Test
    void passRequestHeadersOffKeepsTheBodyItsLengthAndTheClientsFieldsAsVariables() throws Exception {
        Backend.Request r = proxied("proxy_pass http://backend; proxy_pass_request_headers off; proxy_set_header X-Ua $http_user_agent;",
            "POST /form HTTP/1.1\r\nHost: a\r\nUser-Agent: tester\r\nX-Custom: 1\r\nContent-Length: 5\r\n\r\nhello");
        assertThat(r.headerNames()).containsExactly("X-Ua", "Host", "Content-Length");
        assertThat(r.header("X-Ua")).isEqualTo("tester");
        assertThat(r.header("Content-Length")).isEqualTo("5");
        assertThat(r.bodyText()).isEqualTo("hello");
    }

    @Test
    void methodAndVersionCanBeChanged() throws Exception {
        Backend.Request r = proxied("proxy_pass http://backend; proxy_method PURGE; proxy_http_version 1.0;",
            "GET /x HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(r.method()).isEqualTo("PURGE");
        assertThat(r.version()).isEqualTo("HTTP/1.0");
        assertThat(r.header("Connection")).isNull();
    }

    @Test
    void setBodyReplacesTheBodyAndItsLength() throws Exception {
        Backend.Request r = proxied("proxy_pass http://backend; proxy_set_body \"uri=$uri\";",
            "POST /form HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello");
        assertThat(r.bodyText()).isEqualTo("uri=/form");
        assertThat(r.header("Content-Length")).isEqualTo("9");
    }

    @Test
    void passRequestBodyOffStillAnnouncesTheLengthAsNginxDoes() throws Exception {
        Backend.Request r = proxied("proxy_pass http://backend; proxy_pass_request_body off; proxy_set_header Content-Length \"\";",
            "POST /form HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello");
        assertThat(r.header("Content-Length")).isNull();
        assertThat(r.body()).isEmpty();
    }

    static Stream<Arguments> framing() {
        return Stream.of(
            Arguments.of("GET / HTTP/1.1\r\nHost: a\r\n\r\n", null, null),
            Arguments.of("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n", "0", null),
            Arguments.of("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc", "3", null),
            Arguments.of("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n", "5", null));
    }

    @ParameterizedTest
    @MethodSource("framing")
    void bufferedBodiesAreSentWithContentLength(String request, String contentLength, String transferEncoding) throws Exception {
        Backend.Request r = proxied("proxy_pass http://backend;", request);
        assertThat(r.header("Content-Length")).isEqualTo(contentLength);
        assertThat(r.header("Transfer-Encoding")).isEqualTo(transferEncoding);
    }

    @Test
    void expectIsNeverForwarded() throws Exception {
        Backend.Request r = proxied("proxy_pass http://backend;",
            "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc");
        assertThat(r.header("Expect")).isNull();
        assertThat(r.bodyText()).isEqualTo("abc");
    }
}
