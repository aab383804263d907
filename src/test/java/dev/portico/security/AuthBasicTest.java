package dev.portico.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.stream.Stream;
import org.apache.commons.codec.digest.Md5Crypt;
import org.apache.commons.codec.digest.Sha2Crypt;
import org.apache.commons.codec.digest.UnixCrypt;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * auth_basic through sockets, with a user file holding every hash format people have
 * (generated here with commons-codec and BouncyCastle): the right password passes, a wrong one
 * or an unknown user gets 401 with the realm's challenge and nginx's log line, satisfy weighs it.
 */
class AuthBasicTest {
    private static final String PASSWORD = "s3cret pass";

    private static String sha(String salt) throws Exception {
        MessageDigest d = MessageDigest.getInstance("SHA-1");
        d.update(PASSWORD.getBytes(StandardCharsets.UTF_8));
        byte[] s = salt.getBytes(StandardCharsets.UTF_8);
        d.update(s);
        byte[] digest = d.digest();
        if (salt.isEmpty()) {
            return "{SHA}" + Base64.getEncoder().encodeToString(digest);
        }
        byte[] both = new byte[digest.length + s.length];
        System.arraycopy(digest, 0, both, 0, digest.length);
        System.arraycopy(s, 0, both, digest.length, s.length);
        return "{SSHA}" + Base64.getEncoder().encodeToString(both);
    }

    /** A fresh copy each time: the hashing libraries wipe the password array after use. */
    private static byte[] pw() {
        return PASSWORD.getBytes(StandardCharsets.UTF_8);
    }

    private static String users() throws Exception {
        return "# test users\n"
            + "plain:{PLAIN}" + PASSWORD + "\n"
            + "sha:" + sha("") + "\n"
            + "ssha:" + sha("salty") + "\n"
            + "apr1:" + Md5Crypt.apr1Crypt(pw()) + "\n"
            + "md5:" + Md5Crypt.md5Crypt(pw()) + "\n"
            + "sha256:" + Sha2Crypt.sha256Crypt(pw()) + "\n"
            + "sha512:" + Sha2Crypt.sha512Crypt(pw()) + ":a comment\n"
            + "bcrypt:" + OpenBSDBCrypt.generate("2y", pw(), new byte[16], 4) + "\n"
            + "bcryptb:" + OpenBSDBCrypt.generate("2b", pw(), new byte[16], 4) + "\n"
            + "des:" + UnixCrypt.crypt("s3cret", "ab") + "\n";
    }

    /** The auth_basic line is line 5. */
    private static String conf(String extra) {
        return "error_log logs/error.log info;\nevents {}\nhttp {\n server { listen 127.0.0.1:8080; root html;\n"
            + "  location / { auth_basic \"Admin area\"; auth_basic_user_file users.htpasswd; " + extra + " }\n"
            + "  location /public/ { auth_basic off; }\n }\n}\n";
    }

    private static TestPortico portico(String extra) throws Exception {
        return TestPortico.builder().conf(conf(extra))
            .file("conf/users.htpasswd", users()).file("html/index.html", "secret page\n").file("html/public/index.html", "public\n")
            .start();
    }

    private static RawHttp.Response get(TestPortico p, String path, String user, String password) {
        String auth = user == null ? "" : "Authorization: Basic "
            + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)) + "\r\n";
        try (RawHttp c = new RawHttp(p.port(8080))) {
            return c.send("GET " + path + " HTTP/1.1\r\nHost: a\r\n" + auth + "\r\n").readResponse(false);
        }
    }

    static Stream<Arguments> formats() {
        return Stream.of("plain", "sha", "ssha", "apr1", "md5", "sha256", "sha512", "bcrypt", "bcryptb").map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("formats")
    void theRightPasswordPassesAndAWrongOneDoesNot(String user) throws Exception {
        try (TestPortico p = portico("")) {
            RawHttp.Response ok = get(p, "/index.html", user, PASSWORD);
            assertThat(ok.status()).isEqualTo(200);
            assertThat(ok.bodyText()).isEqualTo("secret page\n");
            RawHttp.Response wrong = get(p, "/index.html", user, PASSWORD + "x");
            assertThat(wrong.status()).isEqualTo(401);
            assertThat(wrong.header("WWW-Authenticate")).isEqualTo("Basic realm=\"Admin area\"");
            assertThat(p.errorLog()).contains("user \"" + user + "\": password mismatch").doesNotContain(PASSWORD);
        }
    }

    @Test
    void traditionalCryptChecksItsEightCharacters() throws Exception {
        try (TestPortico p = portico("")) {
            assertThat(get(p, "/index.html", "des", "s3cret").status()).isEqualTo(200);
            assertThat(get(p, "/index.html", "des", "s3creT").status()).isEqualTo(401);
        }
    }

    @Test
    void noCredentialsOrAnUnknownUserGet401WithTheChallenge() throws Exception {
        try (TestPortico p = portico("")) {
            RawHttp.Response none = get(p, "/index.html", null, null);
            assertThat(none.status()).isEqualTo(401);
            assertThat(none.header("WWW-Authenticate")).isEqualTo("Basic realm=\"Admin area\"");
            assertThat(none.bodyText()).contains("401 Authorization Required");
            RawHttp.Response unknown = get(p, "/index.html", "nobody", PASSWORD);
            assertThat(unknown.status()).isEqualTo(401);
            assertThat(p.errorLog()).contains("no user/password was provided for basic authentication")
                .contains("user \"nobody\" was not found in \"");
            assertThat(get(p, "/public/index.html", null, null).status()).isEqualTo(200);
        }
    }

    @Test
    void satisfyAnyLetsAnAllowedAddressInWithoutAPassword() throws Exception {
        try (TestPortico p = portico("satisfy any; allow 127.0.0.1; deny all;")) {
            RawHttp.Response r = get(p, "/index.html", null, null);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("WWW-Authenticate")).isNull();
        }
        try (TestPortico p = portico("satisfy any; deny all;")) {
            RawHttp.Response r = get(p, "/index.html", null, null);
            // 401 wins over 403, and the challenge goes with it
            assertThat(r.status()).isEqualTo(401);
            assertThat(r.header("WWW-Authenticate")).isEqualTo("Basic realm=\"Admin area\"");
            assertThat(get(p, "/index.html", "apr1", PASSWORD).status()).isEqualTo(200);
        }
        try (TestPortico p = portico("deny all;")) {
            // satisfy all: the address check refuses before the password is looked at
            assertThat(get(p, "/index.html", "apr1", PASSWORD).status()).isEqualTo(403);
        }
    }

    @Test
    void refusalsAreCountedByKindForTheLineAndKeptByAReload() throws Exception {
        try (TestPortico p = portico("")) {
            String line = RefusalRows.line(p, 5, "auth_basic \"Admin area\"");
            assertThat(get(p, "/index.html", "apr1", "wrong").status()).isEqualTo(401);
            assertThat(get(p, "/index.html", "sha", "wrong").status()).isEqualTo(401);
            assertThat(get(p, "/index.html", "nobody", PASSWORD).status()).isEqualTo(401);
            assertThat(get(p, "/index.html", null, null).status()).isEqualTo(401);
            try (RawHttp c = new RawHttp(p.port(8080))) {
                // credentials that cannot be read count as none
                assertThat(c.send("GET / HTTP/1.1\r\nHost: a\r\nAuthorization: Basic !!!\r\n\r\n").readResponse(false).status())
                    .isEqualTo(401);
            }
            assertThat(get(p, "/index.html", "apr1", PASSWORD).status()).isEqualTo(200);
            assertThat(RefusalRows.count(p, "auth_basic", line, "password_mismatch")).isEqualTo(2);
            assertThat(RefusalRows.count(p, "auth_basic", line, "unknown_user")).isEqualTo(1);
            assertThat(RefusalRows.count(p, "auth_basic", line, "no_credentials")).isEqualTo(2);
            // "auth_basic off" is no line to count
            assertThat(RefusalRows.names(p, "auth_basic")).containsExactly(line);

            assertThat(p.reload(conf(""))).isNull();
            assertThat(get(p, "/index.html", "apr1", "wrong").status()).isEqualTo(401);
            assertThat(RefusalRows.count(p, "auth_basic", line, "password_mismatch")).isEqualTo(3);
        }
    }

    @Test
    void underSatisfyAnyOnlyWhatEndsRefusedIsCounted() throws Exception {
        try (TestPortico p = portico("satisfy any; deny all;")) {
            String deny = RefusalRows.line(p, 5, "deny all");
            String realm = RefusalRows.line(p, 5, "auth_basic \"Admin area\"");
            // the password lets it in: the rule's denial is overruled, nothing is counted
            assertThat(get(p, "/index.html", "apr1", PASSWORD).status()).isEqualTo(200);
            assertThat(RefusalRows.count(p, "access", deny, "denied")).isZero();
            // refused by both: both count it
            assertThat(get(p, "/index.html", null, null).status()).isEqualTo(401);
            assertThat(RefusalRows.count(p, "access", deny, "denied")).isEqualTo(1);
            assertThat(RefusalRows.count(p, "auth_basic", realm, "no_credentials")).isEqualTo(1);
        }
        try (TestPortico p = portico("satisfy any; allow 127.0.0.1; deny all;")) {
            // the address lets it in before the password is asked for
            assertThat(get(p, "/index.html", null, null).status()).isEqualTo(200);
            assertThat(RefusalRows.count(p, "auth_basic", RefusalRows.line(p, 5, "auth_basic \"Admin area\""), "no_credentials")).isZero();
        }
    }

    @Test
    void authDelayHoldsA401() throws Exception {
        try (TestPortico p = portico("auth_delay 300ms;")) {
            long start = System.nanoTime();
            assertThat(get(p, "/index.html", "apr1", "wrong").status()).isEqualTo(401);
            assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(250_000_000L);
        }
    }

    @Test
    void aMissingUserFileIsA500() throws Exception {
        try (TestPortico p = TestPortico.builder().conf("error_log logs/error.log info;\nevents {}\nhttp { server { listen 127.0.0.1:8080;"
            + " root html; auth_basic x; auth_basic_user_file missing.htpasswd; } }\n").file("html/index.html", "x\n").start()) {
            assertThat(get(p, "/index.html", "a", "b").status()).isEqualTo(500);
            assertThat(p.errorLog()).contains("[crit]").contains("missing.htpasswd");
        }
    }

    @Test
    void variablesInTheFileNameAreRefused() {
        assertThat(catchThrowable(() -> TestPortico.load("events {}\nhttp { server { auth_basic x; auth_basic_user_file $host.pw; } }\n")))
            .hasMessageContaining("variables in \"auth_basic_user_file\" are not supported");
    }
}
