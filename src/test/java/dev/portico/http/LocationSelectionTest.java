package dev.portico.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Which location answers a URI: nginx's search order, nesting, and captures. */
class LocationSelectionTest {
    private static TestPortico portico;

    @BeforeAll
    static void start() {
        portico = TestPortico.start("""
            events {}
            http {
                server {
                    listen 127.0.0.1:8080;

                    # the example of the nginx documentation
                    location = / { return 200 "A exact root"; }
                    location / { return 200 "B prefix root"; }
                    location /documents/ { return 200 "C documents"; }
                    location ^~ /images/ { return 200 "D images no regex"; }
                    location ~* \\.(gif|jpg|jpeg)$ { return 200 "E image regex $1"; }

                    # regexes: first match in order, over any prefix that is not ^~
                    location ~ ^/order/ { return 200 "first regex"; }
                    location ~ ^/order/x { return 200 "second regex"; }
                    location /order/x { return 200 "longer prefix"; }

                    # ^~ counts only when it is the longest prefix
                    location ^~ /ni/ { return 200 "ni no regex"; }
                    location /ni/deep/ { return 200 "ni deep prefix"; }
                    location ~ /ni/deep/r { return 200 "ni regex"; }

                    # exact and prefix of the same name
                    location = /same { return 200 "exact same"; }
                    location /same { return 200 "prefix same"; }

                    # nested locations
                    location /a/ {
                        location /a/b/ { return 200 "nested a/b"; }
                        location ~ \\.php$ { return 200 "nested php in a"; }
                        location = /a/exact { return 200 "nested exact"; }
                        return 200 "a";
                    }
                    location ~ \\.php$ { return 200 "top php"; }
                    location ^~ /na/ {
                        location ~ \\.php$ { return 200 "nested php in ^~ na"; }
                        return 200 "na";
                    }
                    location /pp/ {
                        location ^~ /pp/q/ { return 200 "nested ^~ pp/q"; }
                        return 200 "pp";
                    }
                    location ~ ^/r/(?<name>[a-z]+) {
                        location ~ \\.txt$ { return 200 "nested txt in regex name=$name 1=[$1]"; }
                        return 200 "regex r name=$name 1=$1";
                    }
                    # a prefix nested in a regex location must start with the regex as written (nginx)
                    location ~ /rp/(\\w+) {
                        location /rp/(\\w+)/in { return 200 "never: the regex text is not a URI prefix"; }
                        location ~ ^/rp/x/ { return 200 "nested regex in regex 1=[$1]"; }
                        return 200 "regex rp 1=$1";
                    }

                    location /int/ { internal; return 200 "internal"; }
                    location @named { return 200 "named"; }
                    location /caseful/ { return 200 "caseful"; }
                }
            }
            """);
    }

    @AfterAll
    static void stop() {
        portico.close();
    }

    static Stream<Arguments> uris() {
        return Stream.of(
            Arguments.of("/", "A exact root"),
            Arguments.of("/index.html", "B prefix root"),
            Arguments.of("/documents/document.html", "C documents"),
            Arguments.of("/documents", "B prefix root"),
            Arguments.of("/images/1.gif", "D images no regex"),
            Arguments.of("/documents/1.jpg", "E image regex jpg"),
            Arguments.of("/x/1.GIF", "E image regex GIF"),
            Arguments.of("/order/x", "first regex"),
            Arguments.of("/order/y", "first regex"),
            Arguments.of("/ni/x.gif", "ni no regex"),
            Arguments.of("/ni/deep/r", "ni regex"),
            Arguments.of("/ni/deep/q.gif", "E image regex gif"),
            Arguments.of("/same", "exact same"),
            Arguments.of("/same/x", "prefix same"),
            Arguments.of("/samex", "prefix same"),
            Arguments.of("/a/x", "a"),
            Arguments.of("/a/b/x", "nested a/b"),
            Arguments.of("/a/b/x.php", "nested php in a"),
            Arguments.of("/a/x.php", "nested php in a"),
            Arguments.of("/a/exact", "nested exact"),
            Arguments.of("/a/x.gif", "E image regex gif"),
            Arguments.of("/b/x.php", "top php"),
            Arguments.of("/na/x.php", "nested php in ^~ na"),
            Arguments.of("/na/x.gif", "na"),
            Arguments.of("/pp/q/x.gif", "E image regex gif"),
            Arguments.of("/pp/q/x", "nested ^~ pp/q"),
            Arguments.of("/r/abc", "regex r name=abc 1=abc"),
            Arguments.of("/r/abc.txt", "nested txt in regex name=abc 1=[]"),
            Arguments.of("/r/abc/inner", "regex r name=abc 1=abc"),
            Arguments.of("/rp/word/inner", "regex rp 1=word"),
            Arguments.of("/rp/x/y", "nested regex in regex 1=[]"),
            Arguments.of("/int/x", "404"),
            Arguments.of("/@named", "B prefix root"),
            Arguments.of("/CASEFUL/", "B prefix root"),
            Arguments.of("/documents/../images/1.gif", "D images no regex"),
            Arguments.of("/%69mages/1.gif", "D images no regex"),
            Arguments.of("//documents///x", "C documents"),
            Arguments.of("/documents/./x", "C documents"),
            Arguments.of("/documents/x?y=1.gif", "C documents"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("uris")
    void uriSelectsTheLocation(String uri, String expected) {
        try (RawHttp c = new RawHttp(portico.port(8080))) {
            RawHttp.Response r = c.send("GET " + uri + " HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false);
            if (expected.equals("404")) {
                assertThat(r.status()).isEqualTo(404);
            } else {
                assertThat(r.bodyText()).isEqualTo(expected);
            }
        }
    }

    // ---- the automatic redirect of locations that pass requests on (set by proxy_pass and friends) ----

    private static Location loc(Location.Kind kind, String name, boolean autoRedirect) {
        return new Location(kind, name, null, null, List.of(), null, LocationTree.EMPTY, "test", autoRedirect);
    }

    @Test
    void aUriWithoutTheTrailingSlashOfAPassingLocationIsRedirected() {
        Location root = loc(Location.Kind.PREFIX, "/", false);
        Location api = loc(Location.Kind.PREFIX, "/api/", true);
        LocationTree tree = new LocationTree(List.of(root, api), List.of());
        LocationTree.Found found = tree.find("/api");
        assertThat(found.autoRedirect()).isTrue();
        assertThat(found.location()).isSameAs(api);
        assertThat(tree.find("/api/").autoRedirect()).isFalse();
        assertThat(tree.find("/api/").location()).isSameAs(api);
        assertThat(tree.find("/ap").location()).isSameAs(root);
    }

    @Test
    void noRedirectWhenAnotherLocationIsNamedExactlyAsTheUri() {
        Location api = loc(Location.Kind.PREFIX, "/api/", true);
        Location exact = loc(Location.Kind.EXACT, "/api", false);
        Location prefix = loc(Location.Kind.PREFIX, "/api", false);
        assertThat(new LocationTree(List.of(api, exact), List.of()).find("/api").location()).isSameAs(exact);
        LocationTree.Found f = new LocationTree(List.of(api, prefix), List.of()).find("/api");
        assertThat(f.autoRedirect()).isFalse();
        assertThat(f.location()).isSameAs(prefix);
    }

    @Test
    void noRedirectForLocationsThatDoNotPassRequestsOn() {
        Location root = loc(Location.Kind.PREFIX, "/", false);
        Location dir = loc(Location.Kind.PREFIX, "/dir/", false);
        assertThat(new LocationTree(List.of(root, dir), List.of()).find("/dir").location()).isSameAs(root);
    }
}
