package dev.portico.variables;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.portico.Version;
import dev.portico.config.ConfigException;
import dev.portico.core.Transport;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every variable of ngx_http_core_module and ngx_http_log_module that issue 3 lists, read through
 * real sockets: each {@code /NAME/} location answers {@code return 200 "<$NAME>"}, so the body is
 * the variable's value between angle brackets.
 */
class VariablesTest {
    private static final List<String> VARIABLES = List.of(
        "host", "http_user_agent", "http_x_custom_header", "http_cookie", "http_host", "http_x_missing",
        "cookie_sid", "arg_x", "arg_", "args", "query_string", "is_args", "uri", "document_uri", "request_uri",
        "request", "request_method", "scheme", "https", "server_protocol", "server_name", "server_addr",
        "server_port", "remote_addr", "remote_port", "binary_remote_addr", "content_length", "content_type",
        "request_length", "request_time", "msec", "time_local", "time_iso8601", "status", "body_bytes_sent",
        "bytes_sent", "connection", "connection_requests", "request_id", "hostname", "portico_version",
        "nginx_version", "pid");

    /** The locations every server below shares (conf/vars.conf). */
    private static final String LOCATIONS = VARIABLES.stream()
        .map(v -> "location /" + v + "/ { return 200 \"<$" + v + ">\"; }")
        .collect(Collectors.joining("\n", "", "\n")) + """
        location = /braced { return 200 "<${host}suffix|$uri.x|$HOST|$hosté>"; }
        location = /hostport { return 200 "<$host:$server_port>"; }
        location = /status404 { return 404 "<$status>"; }
        location = /missing { error_page 404 /err; return 404; }
        location = /err { return 200 "<$status>"; }
        location = /added { add_header X-Status $status; add_header X-Body $body_bytes_sent; return 200 "<$status>"; }
        location = /added404 { add_header X-Status $status always; return 404; }
        location = /twice { return 200 "<$request_id $request_id>"; }
        location = /conn { return 200 "<$connection $connection_requests>"; }
        location = /time { return 200 "<$msec|$time_local|$time_iso8601|$request_time>"; }
        location = /addr { return 200 "<$remote_addr|$remote_port|$server_addr|$server_port|$host>"; }
        """;

    private static final String HOSTNAME = hostname();
    private static TestPortico portico;

    @BeforeAll
    static void start() {
        portico = TestPortico.builder()
            .file("conf/vars.conf", LOCATIONS)
            .conf("""
                events {}
                http {
                    server { listen 127.0.0.1:8080; server_name Vars.Test alias.test; include vars.conf; }
                    server { listen 127.0.0.1:8080; server_name .Wild.Example.COM; include vars.conf; }
                    server { listen 127.0.0.1:8080; server_name ~^RE\\d+\\.test$; include vars.conf; }
                    server { listen 127.0.0.1:8080; server_name $hostname; include vars.conf; }
                    server { listen 8081; include vars.conf; }
                }
                """)
            .start();
    }

    @AfterAll
    static void stop() {
        portico.close();
    }

    private static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT);
        } catch (IOException e) {
            return "localhost";
        }
    }

    private static Arguments row(String what, String request, String expected) {
        return Arguments.of(what, request, expected, 200);
    }

    private static Arguments row(String what, String request, String expected, int status) {
        return Arguments.of(what, request, expected, status);
    }

    /**
     * What a request shows. The expected body (without the angle brackets) is literal, or a regex
     * after "re:"; {port}, {clientPort}, {length} (bytes of the request head sent), {hostname} and
     * {pid} are filled in ({hostname} in the request too).
     */
    static Stream<Arguments> rows() {
        return Stream.of(
            row("$host from Host: lower-cased, port dropped", "GET /host/ HTTP/1.1\r\nHost: Vars.TEST:8080\r\n\r\n", "vars.test"),
            row("$host drops a trailing dot", "GET /host/ HTTP/1.1\r\nHost: alias.test.\r\n\r\n", "alias.test"),
            row("$host from an absolute-form target wins over Host",
                "GET http://Abs.Example:1234/host/ HTTP/1.1\r\nHost: vars.test\r\n\r\n", "abs.example"),
            row("$host of HTTP/1.0 without Host is the server name", "GET /host/ HTTP/1.0\r\n\r\n", "vars.test"),
            row("$host keeps an IPv6 literal's brackets", "GET /host/ HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n", "[::1]"),
            row("$http_NAME: dashes read as underscores", "GET /http_user_agent/ HTTP/1.1\r\nHost: x\r\nUser-Agent: agent/1.0\r\n\r\n",
                "agent/1.0"),
            row("$http_NAME joins repeated fields with \", \"",
                "GET /http_x_custom_header/ HTTP/1.1\r\nHost: x\r\nX-Custom-Header: one\r\nx-custom-header: two\r\n\r\n", "one, two"),
            row("$http_cookie joins Cookie lines with \"; \"",
                "GET /http_cookie/ HTTP/1.1\r\nHost: x\r\nCookie: a=1\r\nCookie: b=2\r\n\r\n", "a=1; b=2"),
            row("$http_host is the raw field", "GET /http_host/ HTTP/1.1\r\nHost: Vars.Test:8080\r\n\r\n", "Vars.Test:8080"),
            row("$http_NAME of a missing field is empty", "GET /http_x_missing/ HTTP/1.1\r\nHost: x\r\n\r\n", ""),
            row("$cookie_NAME: first match, name case-insensitive",
                "GET /cookie_sid/ HTTP/1.1\r\nHost: x\r\nCookie: a=1; SID=abc; sid=second\r\n\r\n", "abc"),
            row("$cookie_NAME: a longer name is another cookie",
                "GET /cookie_sid/ HTTP/1.1\r\nHost: x\r\nCookie: xsid=no; sidx=no; sid=yes\r\n\r\n", "yes"),
            row("$cookie_NAME keeps quotes", "GET /cookie_sid/ HTTP/1.1\r\nHost: x\r\nCookie: sid=\"q v\"\r\n\r\n", "\"q v\""),
            row("$cookie_NAME: spaces around \"=\", value up to \";\"",
                "GET /cookie_sid/ HTTP/1.1\r\nHost: x\r\nCookie: a=1\r\nCookie: sid = spaced ; b=2\r\n\r\n", "spaced "),
            row("$cookie_NAME: \",\" also separates pairs", "GET /cookie_sid/ HTTP/1.1\r\nHost: x\r\nCookie: a=1, sid=c\r\n\r\n", "c"),
            row("$cookie_NAME without the cookie is empty", "GET /cookie_sid/ HTTP/1.1\r\nHost: x\r\nCookie: a=1\r\n\r\n", ""),
            row("$arg_NAME: first match, case-insensitive, not decoded",
                "GET /arg_x/?a=1&X=%41b&x=2 HTTP/1.1\r\nHost: x\r\n\r\n", "%41b"),
            row("$arg_NAME needs \"=\" after the name", "GET /arg_x/?ax=1&x&y=x=1 HTTP/1.1\r\nHost: x\r\n\r\n", ""),
            row("$arg_NAME value runs to \"&\"", "GET /arg_x/?y=x=1&x=a=b&z HTTP/1.1\r\nHost: x\r\n\r\n", "a=b"),
            row("$arg_ with no name is empty", "GET /arg_/?=1 HTTP/1.1\r\nHost: x\r\n\r\n", ""),
            row("$args is the raw query", "GET /args/?a=1&b=%20+c HTTP/1.1\r\nHost: x\r\n\r\n", "a=1&b=%20+c"),
            row("$args without a query is empty", "GET /args/ HTTP/1.1\r\nHost: x\r\n\r\n", ""),
            row("$query_string is $args", "GET /query_string/?q=1 HTTP/1.1\r\nHost: x\r\n\r\n", "q=1"),
            row("$is_args with arguments", "GET /is_args/?a HTTP/1.1\r\nHost: x\r\n\r\n", "?"),
            row("$is_args without arguments", "GET /is_args/ HTTP/1.1\r\nHost: x\r\n\r\n", ""),
            row("$is_args with an empty query", "GET /is_args/? HTTP/1.1\r\nHost: x\r\n\r\n", ""),
            row("$uri is decoded and normalised", "GET /uri/a/../b//c%20d?x=1 HTTP/1.1\r\nHost: x\r\n\r\n", "/uri/b/c d"),
            row("$document_uri is $uri", "GET /document_uri/%7Ex HTTP/1.1\r\nHost: x\r\n\r\n", "/document_uri/~x"),
            row("$request_uri is the target as sent", "GET /request_uri/a/../b%20c?x=%41 HTTP/1.1\r\nHost: x\r\n\r\n",
                "/request_uri/a/../b%20c?x=%41"),
            row("$request_uri of an absolute-form target is its path and query",
                "GET http://h.test/request_uri/?q HTTP/1.1\r\nHost: x\r\n\r\n", "/request_uri/?q"),
            row("$request is the request line", "GET /request/?a=1 HTTP/1.1\r\nHost: x\r\n\r\n", "GET /request/?a=1 HTTP/1.1"),
            row("$request keeps an absolute-form target", "GET http://h.test/request/ HTTP/1.0\r\n\r\n",
                "GET http://h.test/request/ HTTP/1.0"),
            row("$request_method", "DELETE /request_method/ HTTP/1.1\r\nHost: x\r\n\r\n", "DELETE"),
            row("$request_method of a POST", "POST /request_method/ HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", "POST"),
            row("$scheme", "GET /scheme/ HTTP/1.1\r\nHost: x\r\n\r\n", "http"),
            row("$https without TLS", "GET /https/ HTTP/1.1\r\nHost: x\r\n\r\n", ""),
            row("$server_protocol 1.1", "GET /server_protocol/ HTTP/1.1\r\nHost: x\r\n\r\n", "HTTP/1.1"),
            row("$server_protocol 1.0", "GET /server_protocol/ HTTP/1.0\r\n\r\n", "HTTP/1.0"),
            row("$server_name is the first name, lower-cased", "GET /server_name/ HTTP/1.1\r\nHost: alias.test\r\n\r\n", "vars.test"),
            row("$server_name of \".example.com\" drops the dot",
                "GET /server_name/ HTTP/1.1\r\nHost: a.wild.example.com\r\n\r\n", "wild.example.com"),
            row("$server_name of a regex name is the regex", "GET /server_name/ HTTP/1.1\r\nHost: re42.test\r\n\r\n",
                "~^RE\\d+\\.test$"),
            row("$server_name of \"server_name $hostname\"", "GET /server_name/ HTTP/1.1\r\nHost: {hostname}\r\n\r\n", "{hostname}"),
            row("$server_addr", "GET /server_addr/ HTTP/1.1\r\nHost: x\r\n\r\n", "127.0.0.1"),
            row("$server_port", "GET /server_port/ HTTP/1.1\r\nHost: x\r\n\r\n", "{port}"),
            row("$remote_addr", "GET /remote_addr/ HTTP/1.1\r\nHost: x\r\n\r\n", "127.0.0.1"),
            row("$remote_port is the client's port", "GET /remote_port/ HTTP/1.1\r\nHost: x\r\n\r\n", "{clientPort}"),
            row("$content_length from the header", "POST /content_length/ HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello", "5"),
            row("$content_length of a chunked body is empty",
                "POST /content_length/ HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", ""),
            row("$content_length without a body is empty", "GET /content_length/ HTTP/1.1\r\nHost: x\r\n\r\n", ""),
            row("$content_type", "GET /content_type/ HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n",
                "text/plain; charset=utf-8"),
            row("$content_type missing", "GET /content_type/ HTTP/1.1\r\nHost: x\r\n\r\n", ""),
            row("$request_length counts the head's bytes as sent, ignored fields too",
                "GET /request_length/ HTTP/1.1\r\nHost:x\r\nX-Pad:   padded   \r\nX_Ignored: 1\r\n\r\n", "{length}"),
            row("$request_length of an absolute-form target", "GET http://h.test/request_length/ HTTP/1.0\r\n\r\n", "{length}"),
            row("$request_length skips empty lines before the request", "\r\nGET /request_length/ HTTP/1.0\r\n\r\n", "{length}"),
            row("$request_time", "GET /request_time/ HTTP/1.1\r\nHost: x\r\n\r\n", "re:\\d+\\.\\d{3}"),
            row("$msec", "GET /msec/ HTTP/1.1\r\nHost: x\r\n\r\n", "re:\\d{10,}\\.\\d{3}"),
            row("$time_local", "GET /time_local/ HTTP/1.1\r\nHost: x\r\n\r\n",
                "re:\\d{2}/(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)/\\d{4}:\\d{2}:\\d{2}:\\d{2} [+-]\\d{4}"),
            row("$time_iso8601", "GET /time_iso8601/ HTTP/1.1\r\nHost: x\r\n\r\n",
                "re:\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}[+-]\\d{2}:\\d{2}"),
            row("$status in return's text is the status being sent", "GET /status/ HTTP/1.1\r\nHost: x\r\n\r\n", "200"),
            row("$status of \"return 404 text\"", "GET /status404 HTTP/1.1\r\nHost: x\r\n\r\n", "404", 404),
            row("$status in an error page is the error's status", "GET /missing HTTP/1.1\r\nHost: x\r\n\r\n", "404", 404),
            row("$body_bytes_sent before anything is sent", "GET /body_bytes_sent/ HTTP/1.1\r\nHost: x\r\n\r\n", "0"),
            row("$bytes_sent before anything is sent", "GET /bytes_sent/ HTTP/1.1\r\nHost: x\r\n\r\n", "0"),
            row("$connection is a serial number", "GET /connection/ HTTP/1.1\r\nHost: x\r\n\r\n", "re:[1-9]\\d*"),
            row("$connection_requests of a new connection", "GET /connection_requests/ HTTP/1.1\r\nHost: x\r\n\r\n", "1"),
            row("$request_id is 32 hex digits", "GET /request_id/ HTTP/1.1\r\nHost: x\r\n\r\n", "re:[0-9a-f]{32}"),
            row("$hostname is the machine's name, lower-cased", "GET /hostname/ HTTP/1.1\r\nHost: x\r\n\r\n", "{hostname}"),
            row("$portico_version", "GET /portico_version/ HTTP/1.1\r\nHost: x\r\n\r\n", Version.PORTICO),
            row("$nginx_version is the nginx release followed", "GET /nginx_version/ HTTP/1.1\r\nHost: x\r\n\r\n", Version.NGINX),
            row("$pid", "GET /pid/ HTTP/1.1\r\nHost: x\r\n\r\n", "{pid}"),
            row("${name} runs to \"}\", names are case-insensitive and ASCII",
                "GET /braced HTTP/1.1\r\nHost: vars.test\r\n\r\n", "vars.testsuffix|/braced.x|vars.test|vars.testé"),
            row("\"$host:$server_port\" is one compiled template", "GET /hostport HTTP/1.1\r\nHost: vars.test\r\n\r\n",
                "vars.test:{port}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void eachVariableShowsWhatNginxDocuments(String what, String request, String expected, int status) {
        request = request.replace("{hostname}", HOSTNAME);
        try (RawHttp c = new RawHttp(portico.port(8080))) {
            RawHttp.Response r = c.send(request).readResponse(false);
            String want = expected
                .replace("{port}", Integer.toString(portico.port(8080)))
                .replace("{clientPort}", Integer.toString(c.socket().getLocalPort()))
                .replace("{length}", Integer.toString(headLength(request)))
                .replace("{hostname}", HOSTNAME)
                .replace("{pid}", Long.toString(ProcessHandle.current().pid()));
            assertThat(r.status()).isEqualTo(status);
            String body = r.bodyText();
            assertThat(body).startsWith("<").endsWith(">");
            String value = body.substring(1, body.length() - 1);
            if (want.startsWith("re:")) {
                assertThat(value).matches(want.substring(3));
            } else {
                assertThat(value).isEqualTo(want);
            }
        }
    }

    /** The head's bytes as nginx counts them: from the request line (empty lines before it skipped) to the blank line. */
    private static int headLength(String request) {
        String head = request.substring(0, request.indexOf("\r\n\r\n", request.indexOf("HTTP/")) + 4);
        return head.replaceFirst("^(\r\n)+", "").length();
    }

    private static String get(RawHttp c, String path) {
        return c.send("GET " + path + " HTTP/1.1\r\nHost: vars.test\r\n\r\n").readResponse(false).bodyText();
    }

    @Test
    void aKeepAliveConnectionCountsItsRequestsUnderOneSerialNumber() {
        try (RawHttp c = new RawHttp(portico.port(8080)); RawHttp other = new RawHttp(portico.port(8080))) {
            String first = get(c, "/conn");
            String serial = first.substring(1, first.indexOf(' '));
            assertThat(first).isEqualTo("<" + serial + " 1>");
            assertThat(get(c, "/conn")).isEqualTo("<" + serial + " 2>");
            // two pipelined requests in one write are the 3rd and 4th on the connection
            c.send("GET /conn HTTP/1.1\r\nHost: x\r\n\r\nGET /conn HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(c.readResponse(false).bodyText()).isEqualTo("<" + serial + " 3>");
            assertThat(c.readResponse(false).bodyText()).isEqualTo("<" + serial + " 4>");

            String second = get(other, "/conn");
            assertThat(second).endsWith(" 1>").isNotEqualTo("<" + serial + " 1>");
        }
    }

    @Test
    void requestIdIsTheSameWithinARequestAndNewForEachRequest() {
        Set<String> seen = new HashSet<>();
        try (RawHttp c = new RawHttp(portico.port(8080))) {
            for (int i = 0; i < 5; i++) {
                String body = get(c, "/twice");
                assertThat(body).matches("<[0-9a-f]{32} [0-9a-f]{32}>");
                String[] ids = body.substring(1, body.length() - 1).split(" ");
                assertThat(ids[1]).isEqualTo(ids[0]);
                seen.add(ids[0]);
            }
        }
        assertThat(seen).hasSize(5);
    }

    @Test
    void binaryRemoteAddrIsTheFourBytesOfAnIpv4Client() {
        try (RawHttp c = new RawHttp(portico.port(8080))) {
            byte[] body = c.send("GET /binary_remote_addr/ HTTP/1.1\r\nHost: x\r\n\r\n").readResponse(false).body();
            assertThat(body).containsExactly('<', 127, 0, 0, 1, '>');
        }
    }

    @Test
    void aWildcardListenShowsTheAddressTheClientReached() {
        int port = portico.port(8081);
        try (RawHttp c = new RawHttp("127.0.0.2", port)) {
            String body = c.send("GET /addr HTTP/1.1\r\nHost: Some.Host\r\n\r\n").readResponse(false).bodyText();
            assertThat(body).isEqualTo("<" + c.socket().getLocalAddress().getHostAddress() + "|" + c.socket().getLocalPort()
                + "|127.0.0.2|" + port + "|some.host>");
        }
    }

    @Test
    void timeVariablesAreNow() {
        long before = System.currentTimeMillis();
        String body;
        try (RawHttp c = new RawHttp(portico.port(8080))) {
            body = get(c, "/time");
        }
        long after = System.currentTimeMillis();
        String[] parts = body.substring(1, body.length() - 1).split("\\|");
        assertThat(parts).hasSize(4);

        assertThat(parts[0]).matches("\\d+\\.\\d{3}");
        long msec = Math.round(Double.parseDouble(parts[0]) * 1000);
        assertThat(msec).isBetween(before, after);

        // whole seconds: the value may be from the second before "before"
        OffsetDateTime local = OffsetDateTime.parse(parts[1], DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH));
        assertThat(local.toInstant().toEpochMilli()).isBetween(before - 1000, after);
        OffsetDateTime iso = OffsetDateTime.parse(parts[2], DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        assertThat(iso.toInstant().toEpochMilli()).isBetween(before - 1000, after);
        assertThat(iso.getOffset()).isEqualTo(ZoneId.systemDefault().getRules().getOffset(Instant.ofEpochMilli(msec)));
        assertThat(local.getOffset()).isEqualTo(iso.getOffset());

        assertThat(Double.parseDouble(parts[3]) * 1000).isBetween(0.0, (double) (after - before));
    }

    @Test
    void requestTimeCountsFromTheFirstByteOfTheRequest() throws InterruptedException {
        try (RawHttp c = new RawHttp(portico.port(8080))) {
            long start = System.nanoTime();
            c.send("GET /request_time/ HTTP/1.1\r\n");
            // a slow client: the rest of the head comes later (the delay is the point of the test)
            Thread.sleep(300);
            String body = c.send("Host: x\r\n\r\n").readResponse(false).bodyText();
            long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            double seconds = Double.parseDouble(body.substring(1, body.length() - 1));
            // counted from the first byte, so it includes most of the pause (a loaded machine may see
            // the first bytes a little late); counted from the full head it would be near 0
            assertThat(seconds).isBetween(0.25, elapsedMs / 1000.0);
        }
    }

    @Test
    void statusInAResponseHeaderIsTheStatusSent() {
        try (RawHttp c = new RawHttp(portico.port(8080))) {
            RawHttp.Response ok = c.send("GET /added HTTP/1.1\r\nHost: x\r\n\r\n").readResponse(false);
            assertThat(ok.header("X-Status")).isEqualTo("200");
            assertThat(ok.header("X-Body")).isEqualTo("0");
            assertThat(ok.bodyText()).isEqualTo("<200>");
            RawHttp.Response notFound = c.send("GET /added404 HTTP/1.1\r\nHost: x\r\n\r\n").readResponse(false);
            assertThat(notFound.status()).isEqualTo(404);
            assertThat(notFound.header("X-Status")).isEqualTo("404");
        }
    }

    @Test
    void overIpv6TheAddressesAreIpv6() throws IOException {
        assumeThat(ipv6Loopback()).as("IPv6 loopback available").isTrue();
        try (TestPortico p = TestPortico.builder().file("conf/vars.conf", LOCATIONS).conf("""
                events {}
                http { server { listen [::1]:8082; include vars.conf; } }
                """).start();
             RawHttp c = new RawHttp("::1", p.port(8082))) {
            String addr = c.send("GET /addr HTTP/1.1\r\nHost: [::1]:" + p.port(8082) + "\r\n\r\n").readResponse(false).bodyText();
            assertThat(addr).isEqualTo("<::1|" + c.socket().getLocalPort() + "|::1|" + p.port(8082) + "|[::1]>");
            byte[] binary = c.send("GET /binary_remote_addr/ HTTP/1.1\r\nHost: x\r\n\r\n").readResponse(false).body();
            byte[] loopback = new byte[16];
            loopback[15] = 1;
            assertThat(binary).hasSize(18).startsWith('<').endsWith('>');
            assertThat(java.util.Arrays.copyOfRange(binary, 1, 17)).containsExactly(loopback);
        }
    }

    private static boolean ipv6Loopback() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("::1"))) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void overAUnixSocketAddressesAreTheSocketsAndPortsAreEmpty() throws IOException {
        assumeThat(Transport.epoll()).as("unix sockets need epoll").isTrue();
        Path socket = Files.createTempDirectory("portico-vars").resolve("v.sock");
        try (TestPortico p = TestPortico.builder().file("conf/vars.conf", LOCATIONS).conf("""
                events {}
                http { server { listen unix:SOCKET; include vars.conf; } }
                """.replace("SOCKET", socket.toString())).start()) {
            String addr = unixGet(socket, "/addr");
            assertThat(addr).endsWith("\r\n\r\n<unix:||unix:" + socket + "||localhost>");
            assertThat(unixGet(socket, "/binary_remote_addr/")).endsWith("\r\n\r\n<unix:>");
        }
    }

    private static String unixGet(Path socket, String path) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.write(ByteBuffer.wrap(("GET " + path + " HTTP/1.0\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer buf = ByteBuffer.allocate(4096);
            StringBuilder out = new StringBuilder();
            while (ch.read(buf) >= 0) {
                buf.flip();
                out.append(StandardCharsets.ISO_8859_1.decode(buf));
                buf.clear();
            }
            return out.toString();
        }
    }

    /** Template errors, worded as nginx and located at the directive (line 5). */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "return 200 \"$foo\";          | unknown \"foo\" variable",
        "return 200 \"x$Nosuch_1y\";   | unknown \"Nosuch_1y\" variable",
        "return 200 \"${host\";        | the closing bracket in \"host\" variable is missing",
        "return 200 \"${host-x}\";     | the closing bracket in \"host\" variable is missing",
        "return 200 \"${}\";           | invalid variable name",
        "return 200 \"a$\";            | invalid variable name",
        "return 200 \"a $ b\";         | invalid variable name",
        "add_header X \"$-\";          | invalid variable name",
        "return 200 \"5 dollars\";     | ",
        "return 200 \"${http_x}y $1\"; | ",
    })
    void templateErrorsAreReportedAtLoadAsNginxDoes(String directive, String message) {
        String text = "events {}\nhttp {\n    server {\n        listen 127.0.0.1:8080;\n        location / { " + directive
            + " }\n    }\n}\n";
        ConfigException e = catchThrowableOfType(() -> TestPortico.load(text), ConfigException.class);
        if (message == null) {
            assertThat(e).isNull();
            return;
        }
        assertThat(e).as("expected an error for %s", directive).isNotNull();
        assertThat(e.bareMessage()).isEqualTo(message);
        // nginx finds unknown variables once the file is read and names no place for them
        if (message.matches("unknown \".*\" variable")) {
            assertThat(e.getMessage()).isEqualTo(message);
            return;
        }
        assertThat(e.getMessage()).isEqualTo(message + " in " + e.file() + ":5");
        assertThat(e.file().toString()).endsWith("conf/nginx.conf");
    }
}
