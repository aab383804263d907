package dev.portico.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.portico.core.Snapshot;
import dev.portico.http.HttpConf;
import dev.portico.http.Phase;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** allow/deny through sockets: first match decides, lists inherit whole, satisfy weighs them, IPv6 as nginx. */
class AccessTest {
    private static String conf(String rules, String listen) {
        return "error_log logs/error.log error;\nevents {}\nhttp {\n server { listen " + listen + "; root html;\n" + rules + "\n }\n}\n";
    }

    private static TestPortico portico(String rules, String listen) {
        return TestPortico.builder()
            .conf(conf(rules, listen))
            .file("html/index.html", "page\n").file("html/open/index.html", "open\n").file("html/inherits/index.html", "inherits\n")
            .start();
    }

    private static int status(TestPortico p, String path) {
        try (RawHttp c = new RawHttp(p.port(8080))) {
            return c.send("GET " + path + " HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false).status();
        }
    }

    static Stream<Arguments> ipv4Rules() {
        return Stream.of(
            Arguments.of("allow 127.0.0.1; deny all;", 200),
            Arguments.of("deny 127.0.0.1; allow all;", 403),
            Arguments.of("deny 127.0.0.0/8;", 403),
            Arguments.of("allow 10.0.0.0/8; deny all;", 403),
            Arguments.of("allow 10.0.0.0/8;", 200),
            Arguments.of("allow 127.0.0.1; deny 127.0.0.0/8;", 200),
            Arguments.of("deny 127.0.0.1; allow 127.0.0.0/8;", 403),
            Arguments.of("deny 127.0.0.2; allow 127.0.0.0/8; deny all;", 200),
            Arguments.of("deny 0.0.0.0/0;", 403),
            Arguments.of("allow ::1; deny ::/0;", 200),
            Arguments.of("deny unix:; allow 127.0.0.1;", 200),
            Arguments.of("allow unix:; deny all;", 403));
    }

    @ParameterizedTest(name = "{0} from 127.0.0.1 gives {1}")
    @MethodSource("ipv4Rules")
    void theFirstMatchingRuleDecides(String rules, int status) {
        try (TestPortico p = portico(rules, "127.0.0.1:8080")) {
            assertThat(status(p, "/index.html")).isEqualTo(status);
            if (status == 403) {
                assertThat(p.errorLog()).contains("access forbidden by rule, client: 127.0.0.1, server: , "
                    + "request: \"GET /index.html HTTP/1.1\", host: \"a\"");
            }
        }
    }

    @Test
    void aLocationWithRulesOfItsOwnDoesNotInheritTheServers() {
        try (TestPortico p = portico("deny all;\n location /open/ { allow all; }\n location /inherits/ { }", "127.0.0.1:8080")) {
            assertThat(status(p, "/open/index.html")).isEqualTo(200);
            assertThat(status(p, "/inherits/index.html")).isEqualTo(403);
            assertThat(status(p, "/index.html")).isEqualTo(403);
        }
    }

    @Test
    void underSatisfyAnyADenialIsLoggedOnceWhenNothingAllows() {
        try (TestPortico p = portico("satisfy any; deny all;", "127.0.0.1:8080")) {
            assertThat(status(p, "/index.html")).isEqualTo(403);
            assertThat(p.errorLog().split("access forbidden by rule", -1)).hasSize(2);
        }
        try (TestPortico p = portico("satisfy any; deny 127.0.0.2; allow all;", "127.0.0.1:8080")) {
            assertThat(status(p, "/index.html")).isEqualTo(200);
        }
    }

    static Stream<Arguments> ipv6Rules() {
        return Stream.of(
            Arguments.of("allow ::1; deny all;", 200),
            Arguments.of("deny ::1; allow all;", 403),
            Arguments.of("deny ::/0;", 403),
            Arguments.of("deny 0:0:0:0:0:0:0:0/127;", 403),
            Arguments.of("deny fe80::/10; allow all;", 200),
            // IPv4 rules do not apply to an IPv6 client
            Arguments.of("deny 127.0.0.1; deny 0.0.0.0/0;", 200));
    }

    @ParameterizedTest(name = "{0} from ::1 gives {1}")
    @MethodSource("ipv6Rules")
    void ipv6ClientsMatchIpv6Rules(String rules, int status) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(hasIpv6Loopback(), "no IPv6 loopback here");
        try (TestPortico p = portico(rules, "[::1]:8080"); RawHttp c = new RawHttp("::1", p.port(8080))) {
            assertThat(c.send("GET /index.html HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false).status()).isEqualTo(status);
        }
    }

    private static boolean hasIpv6Loopback() throws Exception {
        NetworkInterface lo = NetworkInterface.getByInetAddress(InetAddress.getLoopbackAddress());
        return lo != null && lo.inetAddresses().anyMatch(a -> a instanceof Inet6Address);
    }

    @Test
    void onlyLocationsWithRulesGetAnAccessHandler() throws Exception {
        Snapshot s = TestPortico.load("events {}\nhttp {\n server { listen 127.0.0.1:8080;\n"
            + "  location /plain/ { }\n  location /guarded/ { deny all; }\n }\n}\n");
        var locations = HttpConf.of(s).servers().get(0).locations();
        assertThat(locations.find("/plain/x").location().handlers(Phase.ACCESS)).isEmpty();
        assertThat(locations.find("/guarded/x").location().handlers(Phase.ACCESS)).hasSize(1);
    }

    @Test
    void eachRuleCountsTheRequestsItRefusedAndKeepsThemWhileItStaysOnItsLine() {
        // server { on line 4: the rules are on lines 5 and 6
        String rules = "deny 10.0.0.0/8;\n deny 127.0.0.0/8;\n location /open/ { allow all; }\n location /inherits/ { }";
        try (TestPortico p = portico(rules, "127.0.0.1:8080")) {
            String deny127 = RefusalRows.line(p, 6, "deny 127.0.0.0/8");
            for (int i = 0; i < 3; i++) {
                assertThat(status(p, "/index.html")).isEqualTo(403);
            }
            // a location that inherits the list counts on the same lines
            assertThat(status(p, "/inherits/index.html")).isEqualTo(403);
            assertThat(status(p, "/open/index.html")).isEqualTo(200);
            assertThat(RefusalRows.count(p, "access", deny127, "denied")).isEqualTo(4);
            assertThat(RefusalRows.count(p, "access", RefusalRows.line(p, 5, "deny 10.0.0.0/8"), "denied")).isZero();
            assertThat(RefusalRows.count(p, "access", RefusalRows.line(p, 7, "allow all"), "denied")).isZero();

            String conf = conf(rules, "127.0.0.1:8080");
            assertThat(p.reload(conf)).isNull();
            assertThat(RefusalRows.count(p, "access", deny127, "denied")).isEqualTo(4);
            assertThat(status(p, "/index.html")).isEqualTo(403);
            assertThat(RefusalRows.count(p, "access", deny127, "denied")).isEqualTo(5);

            // moved a line down: another line, counted afresh
            assertThat(p.reload(conf.replace("events {}\n", "events {}\n\n"))).isNull();
            assertThat(RefusalRows.names(p, "access")).containsExactly(RefusalRows.line(p, 6, "deny 10.0.0.0/8"),
                RefusalRows.line(p, 7, "deny 127.0.0.0/8"), RefusalRows.line(p, 8, "allow all"));
            assertThat(RefusalRows.count(p, "access", RefusalRows.line(p, 7, "deny 127.0.0.0/8"), "denied")).isZero();
        }
    }

    static Stream<Arguments> badRules() {
        return Stream.of(
            Arguments.of("allow 1.2.3.4/33;", "invalid parameter \"1.2.3.4/33\""),
            Arguments.of("allow example.com;", "invalid parameter \"example.com\""),
            Arguments.of("deny 1.2.3;", "invalid parameter \"1.2.3\""),
            Arguments.of("deny ::1/129;", "invalid parameter \"::1/129\""),
            Arguments.of("deny 10.0.0.0/;", "invalid parameter \"10.0.0.0/\""),
            Arguments.of("allow;", "invalid number of arguments in \"allow\" directive"),
            Arguments.of("allow 1.2.3.4 5.6.7.8;", "invalid number of arguments in \"allow\" directive"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRules")
    void badRulesAreRefusedWithNginxsMessage(String rule, String message) {
        assertThat(catchThrowable(() -> TestPortico.load("events {}\nhttp { server { " + rule + " } }\n")))
            .hasMessageContaining(message);
    }

    @Test
    void lowAddressBitsAreMaskedOff() throws Exception {
        try (TestPortico p = TestPortico.builder().conf("error_log logs/error.log warn;\nevents {}\nhttp {\n"
                 + " server { listen 127.0.0.1:8080; root html; deny 127.0.0.1/8; }\n}\n").file("html/index.html", "x\n").start()) {
            assertThat(status(p, "/index.html")).isEqualTo(403);
        }
    }
}
