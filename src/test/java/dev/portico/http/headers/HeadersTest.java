package dev.portico.http.headers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import io.netty.handler.codec.DateFormatter;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class HeadersTest {
    private static final List<Integer> CODES = List.of(200, 201, 204, 206, 301, 302, 303, 304, 307, 308, 400, 403, 404, 500, 503);
    private static TestPortico p;

    @BeforeAll
    static void start() {
        StringBuilder codes = new StringBuilder();
        for (int c : CODES) {
            String ret = c >= 301 && c <= 308 && c != 304 ? "return " + c + " /x;" : c >= 400 ? "return " + c + ";" : "return " + c + " ok;";
            codes.append("location = /code/").append(c).append(" { add_header X-Safe yes; add_header X-Always yes always; ")
                .append("expires 1h; ").append(ret).append(" }\n");
        }
        p = TestPortico.start("""
            events {}
            http {
                add_header X-Http http;
                server {
                    listen 127.0.0.1:8080;
                    server_name localhost;
                    location = /inherit { return 200 ok; }
                    location = /own { add_header X-Own own; add_header X-Own2 "$uri!"; return 200 ok; }
                    location = /empty { add_header X-Empty ""; add_header X-Set set; return 200 ok; }
                    location = /merge { add_header_inherit merge; add_header X-Mine mine; return 200 ok; }
                    location = /inheritoff { add_header_inherit off; return 200 ok; }
                    location /mergeparent {
                        add_header_inherit merge;
                        add_header X-Parent parent;
                        location /mergeparent/child { add_header X-Child child; return 200 ok; }
                        location /mergeparent/plain { return 200 ok; }
                    }
                    location /ifh { add_header X-Loc loc; if ($arg_x) { add_header X-If if; } return 200 ok; }
                    location = /etag { add_header ETag '"v1"'; add_header ETag '"v2"'; return 200 ok; }
                    location = /crlf { add_header X-Crlf "a\r\nb"; return 200 ok; }
                    location = /exp/1h { expires 1h; return 200 ok; }
                    location = /exp/epoch { expires epoch; return 200 ok; }
                    location = /exp/max { expires max; return 200 ok; }
                    location = /exp/off { expires off; return 200 ok; }
                    location = /exp/neg { expires -1; return 200 ok; }
                    location = /exp/zero { expires 0; return 200 ok; }
                    location = /exp/modified { expires modified +1h; return 200 ok; }
                    location = /exp/daily { expires @15h30m; return 200 ok; }
                    location = /exp/var { expires $arg_e; return 200 ok; }
                    location = /exp/cc { expires 24h; add_header Cache-Control private; return 200 ok; }
                    location = /trailer { add_trailer X-Trailer "done-$uri"; add_trailer X-Empty ""; return 200 body; }
                    location = /trailer404 { add_trailer X-Trailer t; return 404 body; }
                    location = /trailer404always { add_trailer X-Trailer t always; return 404 body; }
            """ + codes + """
                }
                server {
                    listen 127.0.0.1:8080;
                    server_name own.test;
                    add_header X-Srv srv;
                    location / { return 200 ok; }
                }
                server {
                    listen 127.0.0.1:8080;
                    server_name off.test;
                    add_header_inherit off;
                    location / { return 200 ok; }
                }
            }
            """);
    }

    @AfterAll
    static void stop() {
        p.close();
    }

    private static RawHttp.Response get(String target) {
        return get(target, "localhost");
    }

    private static RawHttp.Response get(String target, String host) {
        try (RawHttp c = new RawHttp(p.port(8080))) {
            c.send("GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
            return c.readResponse(false);
        }
    }

    private static List<String> all(RawHttp.Response r, String name) {
        return r.headers().stream().filter(h -> h[0].equalsIgnoreCase(name)).map(h -> h[1]).toList();
    }

    @Test
    void aLevelWithoutAddHeaderInheritsTheOuterOnes() {
        assertThat(get("/inherit").header("X-Http")).isEqualTo("http");
    }

    @Test
    void aLevelWithAddHeaderDoesNotInherit() {
        RawHttp.Response r = get("/own");
        assertThat(r.header("X-Own")).isEqualTo("own");
        assertThat(r.header("X-Own2")).isEqualTo("/own!");
        assertThat(r.header("X-Http")).isNull();
        RawHttp.Response srv = get("/", "own.test");
        assertThat(srv.header("X-Srv")).isEqualTo("srv");
        assertThat(srv.header("X-Http")).isNull();
    }

    @Test
    void anEmptyValueAddsNothing() {
        RawHttp.Response r = get("/empty");
        assertThat(r.header("X-Empty")).isNull();
        assertThat(r.header("X-Set")).isEqualTo("set");
    }

    @Test
    void addHeaderInheritMergeAppendsTheOuterFields() {
        RawHttp.Response r = get("/merge");
        assertThat(r.header("X-Mine")).isEqualTo("mine");
        assertThat(r.header("X-Http")).isEqualTo("http");
        RawHttp.Response child = get("/mergeparent/child");
        assertThat(child.header("X-Child")).isEqualTo("child");
        assertThat(child.header("X-Parent")).isEqualTo("parent");
        assertThat(child.header("X-Http")).isEqualTo("http");
        RawHttp.Response plain = get("/mergeparent/plain");
        assertThat(plain.header("X-Parent")).isEqualTo("parent");
        assertThat(plain.header("X-Http")).isEqualTo("http");
    }

    @Test
    void addHeaderInheritOffDropsTheOuterFields() {
        assertThat(get("/inheritoff").header("X-Http")).isNull();
        assertThat(get("/", "off.test").header("X-Http")).isNull();
    }

    @Test
    void addHeaderInsideATrueIfReplacesTheLocationsFields() {
        assertThat(get("/ifh?x=1").header("X-If")).isEqualTo("if");
        assertThat(get("/ifh?x=1").header("X-Loc")).isNull();
        assertThat(get("/ifh").header("X-Loc")).isEqualTo("loc");
    }

    @Test
    void etagReplacesTheFieldAlreadyThere() {
        assertThat(all(get("/etag"), "ETag")).containsExactly("\"v2\"");
    }

    @Test
    void lineBreaksInValuesBecomeSpaces() {
        assertThat(get("/crlf").header("X-Crlf")).isEqualTo("a  b");
    }

    @ParameterizedTest(name = "status {0}")
    @ValueSource(ints = {200, 201, 204, 206, 301, 302, 303, 304, 307, 308, 400, 403, 404, 500, 503})
    void fieldsGoOnlyOnSuccessAndRedirectsUnlessAlways(int code) {
        RawHttp.Response r = get("/code/" + code);
        boolean safe = code < 400;
        assertThat(r.status()).isEqualTo(code);
        assertThat(r.header("X-Always")).isEqualTo("yes");
        assertThat(r.header("X-Safe")).isEqualTo(safe ? "yes" : null);
        assertThat(r.header("Cache-Control")).isEqualTo(safe ? "max-age=3600" : null);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "/exp/epoch   | no-cache          | Thu, 01 Jan 1970 00:00:01 GMT",
        "/exp/max     | max-age=315360000 | Thu, 31 Dec 2037 23:55:55 GMT",
        "/exp/var?e=epoch | no-cache      | Thu, 01 Jan 1970 00:00:01 GMT",
    })
    void fixedExpiresForms(String target, String cacheControl, String expires) {
        RawHttp.Response r = get(target);
        assertThat(r.header("Cache-Control")).isEqualTo(cacheControl);
        assertThat(r.header("Expires")).isEqualTo(expires);
    }

    @ParameterizedTest(name = "{0} -> {1} ({2}s from now)")
    @CsvSource(delimiter = '|', value = {
        "/exp/1h          | max-age=3600 | 3600",
        "/exp/zero        | max-age=0    | 0",
        "/exp/neg         | no-cache     | -1",
        "/exp/modified    | max-age=3600 | 3600",
        "/exp/var?e=2h    | max-age=7200 | 7200",
        "/exp/var?e=-1m   | no-cache     | -60",
    })
    void relativeExpiresForms(String target, String cacheControl, long offset) {
        RawHttp.Response r = get(target);
        assertThat(r.header("Cache-Control")).isEqualTo(cacheControl);
        long expires = DateFormatter.parseHttpDate(r.header("Expires")).getTime() / 1000;
        assertThat(expires).isCloseTo(System.currentTimeMillis() / 1000 + offset, within(3L));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/exp/off", "/exp/var?e=off", "/exp/var?e=bogus", "/exp/var", "/inherit"})
    void noExpiresWhenOffOrInvalid(String target) {
        RawHttp.Response r = get(target);
        assertThat(r.header("Expires")).isNull();
        assertThat(r.header("Cache-Control")).isNull();
    }

    @Test
    void dailyExpiresPointsAtTheNextTimeOfDay() {
        RawHttp.Response r = get("/exp/daily");
        ZonedDateTime expires = ZonedDateTime.ofInstant(DateFormatter.parseHttpDate(r.header("Expires")).toInstant(),
            ZoneId.systemDefault());
        assertThat(expires.getHour()).isEqualTo(15);
        assertThat(expires.getMinute()).isEqualTo(30);
        long maxAge = Long.parseLong(r.header("Cache-Control").substring("max-age=".length()));
        assertThat(maxAge).isBetween(0L, 86400L);
        assertThat(expires.toEpochSecond() - System.currentTimeMillis() / 1000).isCloseTo(maxAge, within(3L));
    }

    @Test
    void addHeaderCacheControlComesAfterExpires() {
        assertThat(all(get("/exp/cc"), "Cache-Control")).containsExactly("max-age=86400", "private");
    }

    @Test
    void addTrailerSendsTrailersAfterAChunkedBody() {
        try (RawHttp c = new RawHttp(p.port(8080))) {
            c.send("GET /trailer HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
            String raw = c.readUntilClose(5000);
            assertThat(raw).contains("Transfer-Encoding: chunked").doesNotContainIgnoringCase("content-length")
                .endsWith("\r\n4\r\nbody\r\n0\r\nX-Trailer: done-/trailer\r\n\r\n");
        }
    }

    @Test
    void addTrailerFollowsTheStatusRuleAndHttp10() {
        try (RawHttp c = new RawHttp(p.port(8080))) {
            c.send("GET /trailer404 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
            assertThat(c.readUntilClose(5000)).containsIgnoringCase("content-length: 4").doesNotContain("X-Trailer");
        }
        try (RawHttp c = new RawHttp(p.port(8080))) {
            c.send("GET /trailer404always HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
            assertThat(c.readUntilClose(5000)).endsWith("0\r\nX-Trailer: t\r\n\r\n");
        }
        try (RawHttp c = new RawHttp(p.port(8080))) {
            c.send("GET /trailer HTTP/1.0\r\nHost: localhost\r\n\r\n");
            assertThat(c.readUntilClose(5000)).containsIgnoringCase("content-length: 4").endsWith("\r\n\r\nbody");
        }
    }
}
