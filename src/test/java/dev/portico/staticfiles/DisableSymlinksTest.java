package dev.portico.staticfiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * disable_symlinks as nginx applies it on Linux, component by component with openat(): a link
 * at the end of the path is ELOOP (403), a link that a slash follows, where a directory is
 * searched, is ENOTDIR (404, the trailing-slash and index cases); failures are logged as
 * openat() calls; if_not_owner lets links through whose owner is their target's.
 */
class DisableSymlinksTest {
    private static TestPortico p;
    private static String sym;

    @BeforeAll
    static void start() throws Exception {
        p = TestPortico.builder().conf("""
                events {}
                http {
                    server {
                        listen 127.0.0.1:8080;
                        location /on/ { alias html/sym/; disable_symlinks on; }
                        location /own/ { alias html/sym/; disable_symlinks if_not_owner; }
                        location /tf/ { alias html/sym/; disable_symlinks on; try_files $uri/ =418; }
                        location /ai/ { alias html/sym/; disable_symlinks on; autoindex on; }
                    }
                }
                """)
            .file("html/sym/realdir/index.html", "index")
            .file("html/sym/realdir/f.txt", "file")
            .file("html/sym/plain.txt", "plain")
            .start();
        Path dir = p.prefix().resolve("html/sym");
        Files.createSymbolicLink(dir.resolve("linkdir"), dir.resolve("realdir"));
        Files.createSymbolicLink(dir.resolve("linkfile.txt"), dir.resolve("realdir/f.txt"));
        sym = dir.toString();
    }

    @AfterAll
    static void stop() {
        p.close();
    }

    private static RawHttp.Response get(String target) {
        try (RawHttp c = new RawHttp(p.port(8080))) {
            return c.send("GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").readResponse(false);
        }
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "/on/linkfile.txt          | 403 | [error] | openat() \"SYM/linkfile.txt\" failed (40: Too many levels of symbolic links)",
        "/on/linkdir               | 403 | [error] | openat() \"SYM/linkdir\" failed (40: Too many levels of symbolic links)",
        "/on/linkdir/f.txt         | 404 | [error] | openat() \"SYM/linkdir/f.txt\" failed (20: Not a directory)",
        "/on/linkdir/              | 404 | [error] | \"SYM/linkdir/index.html\" is not found (20: Not a directory)",
        "/ai/linkdir/              | 404 | [error] | \"SYM/linkdir/index.html\" is not found (20: Not a directory)",
        "/on/missing.txt           | 404 | [error] | openat() \"SYM/missing.txt\" failed (2: No such file or directory)",
        "/tf/linkdir               | 418 | [crit]  | openat() \"SYM/linkdir\" failed (40: Too many levels of symbolic links)",
    })
    void linksAreRefusedAsNginxRefusesThem(String target, int status, String level, String logged) {
        RawHttp.Response r = get(target);
        assertThat(r.status()).isEqualTo(status);
        // the error log is written before the response goes out
        assertThat(p.errorLog()).contains(level + " ").contains(logged.replace("SYM", sym) + ", client: 127.0.0.1");
    }

    @Test
    void aLinkWhereADirectoryIsSearchedIsNotLoggedByTryFiles() {
        String before = p.errorLog();
        assertThat(get("/tf/linkdir/").status()).isEqualTo(418);
        assertThat(p.errorLog().substring(before.length())).doesNotContain("linkdir");
    }

    @Test
    void realFilesAndDirectoriesAreServed() {
        assertThat(get("/on/plain.txt").bodyText()).isEqualTo("plain");
        assertThat(get("/on/realdir/").bodyText()).isEqualTo("index");
        assertThat(get("/tf/realdir/").status()).isEqualTo(418);
    }

    @Test
    void ifNotOwnerFollowsLinksOwnedLikeTheirTargets() {
        assertThat(get("/own/linkdir/").bodyText()).isEqualTo("index");
        assertThat(get("/own/linkdir/f.txt").bodyText()).isEqualTo("file");
        assertThat(get("/own/linkfile.txt").bodyText()).isEqualTo("file");
    }

    @Test
    void ifNotOwnerRefusesADirectoryLinkOwnedBySomeoneElseWithLoop() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "changing a link's owner needs root");
        Path dir = p.prefix().resolve("html/sym");
        Path other = Files.createSymbolicLink(dir.resolve("otherdir"), dir.resolve("realdir"));
        Files.getFileAttributeView(other, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
            .setOwner(other.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
        // unlike "on", a mismatch is ELOOP even where a directory is searched
        assertThat(get("/own/otherdir/f.txt").status()).isEqualTo(403);
        assertThat(p.errorLog()).contains("openat() \"" + sym + "/otherdir/f.txt\" failed (40: Too many levels of symbolic links)");
    }
}
