package dev.portico.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.config.ConfNode;
import dev.portico.config.directive.Context;
import dev.portico.config.directive.Level;
import dev.portico.config.directive.Settings;
import dev.portico.core.BuildContext;
import dev.portico.core.Prefix;
import dev.portico.http.ContentHandler;
import dev.portico.http.HttpCompiler;
import dev.portico.http.HttpModule;
import dev.portico.http.Location;
import dev.portico.http.LocationBuilder;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IfTest {
    private static TestPortico p;

    @BeforeAll
    static void start() throws Exception {
        StringBuilder fileTests = new StringBuilder();
        for (String op : List.of("f", "d", "e", "x")) {
            fileTests.append("location = /file/").append(op).append(" { if (-").append(op)
                .append(" $arg_p) { return 200 yes; } return 200 no; }\n");
            fileTests.append("location = /file/not").append(op).append(" { if (!-").append(op)
                .append(" $arg_p) { return 200 yes; } return 200 no; }\n");
        }
        p = TestPortico.builder().conf("""
            events {}
            http {
                server {
                    listen 127.0.0.1:8080;
                    server_name localhost;

                    if ($http_x_block) { return 403; }
                    if ($arg_srv = go) { rewrite ^ /show/from-server-if last; }

                    location /show/ { return 200 "uri=$uri"; }
                    location = /truth { if ($arg_v) { return 200 true; } return 200 false; }
                    location = /eq { if ($arg_v = "abc") { return 200 eq; } return 200 other; }
                    location = /ne { if ($arg_v != abc) { return 200 ne; } return 200 same; }
                    location = /eqempty { if ($arg_v = "") { return 200 empty; } return 200 set; }
                    location = /re {
                        if ($arg_v ~ ^a(\\d+)$) { return 200 "re $1"; }
                        if ($arg_v ~* ^B(?<rest>.+)$) { return 200 "ci $rest"; }
                        if ($arg_v !~ ^z) { return 200 "not z"; }
                        if ($arg_v !~* ^ZZ) { return 200 "not zz"; }
                        return 200 "zz";
                    }
                    location = /case { if ($arg_v ~ ^B) { return 200 sensitive; } return 200 "no match"; }
                    location /cap/ {
                        if ($uri ~ "^/cap/(\\w+)/(?<second>\\w+)") { return 200 "$1 $second"; }
                    }
                    location /ifhdr {
                        add_header X-Outer outer;
                        if ($arg_inner) { add_header X-Inner inner; }
                        return 200 body;
                    }
                    location /after {
                        set $a before;
                        if ($arg_x) { set $a "${a}-inif"; }
                        set $a "${a}-after";
                        return 200 $a;
                    }
                    location /lastinif { if ($arg_x) { rewrite ^ /show/from-if last; } return 200 "not taken"; }
                    location /breakinif { if ($arg_x) { break; } return 200 "no break"; }
                    location /iferrorpage {
                        if ($arg_x) { error_page 404 =200 /show/errpage; }
                        return 404;
                    }
            """ + fileTests + """
                }
            }
            """).file("html/a.html", "a").start();
        Path exe = p.prefix().resolve("html/run.sh");
        Files.writeString(exe, "#!/bin/sh\n");
        Files.setPosixFilePermissions(exe, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(p.prefix().resolve("html/a.html"), PosixFilePermissions.fromString("rw-r--r--"));
    }

    @AfterAll
    static void stop() {
        p.close();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "/truth?v=1       | true",
        "/truth?v=abc     | true",
        "/truth?v=0       | false",
        "/truth?v=        | false",
        "/truth           | false",
        "/eq?v=abc        | eq",
        "/eq?v=abcd       | other",
        "/eq              | other",
        "/ne?v=x          | ne",
        "/ne?v=abc        | same",
        "/eqempty         | empty",
        "/eqempty?v=1     | set",
        "/re?v=a42        | re 42",
        "/re?v=bXY        | ci XY",
        "/re?v=BXY        | ci XY",
        "/re?v=q          | not z",
        "/re?v=zap        | not zz",
        "/re?v=zZtop      | zz",
        "/case?v=b        | no match",
        "/case?v=B        | sensitive",
        "/cap/one/two     | one two",
        "/after           | before-after",
        "/after?x=1       | before-inif-after",
        "/lastinif?x=1    | uri=/show/from-if",
        "/lastinif        | not taken",
        "/breakinif       | no break",
        "/x?srv=go        | uri=/show/from-server-if",
    })
    void conditionsChooseTheAnswer(String target, String body) {
        RawHttp.Response r = Requests.get(p, target);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.bodyText()).isEqualTo(body);
    }

    @Test
    void breakInsideIfEndsTheStatements() {
        // no content handler of its own: the default handler answers
        assertThat(Requests.get(p, "/breakinif?x=1").status()).isEqualTo(404);
    }

    @Test
    void serverLevelIfCanAnswer() {
        assertThat(Requests.send(p, "GET", "/show/a", "localhost", "X-Block: 1").status()).isEqualTo(403);
        assertThat(Requests.get(p, "/show/a").bodyText()).isEqualTo("uri=/show/a");
    }

    @ParameterizedTest(name = "-{0} {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
        "f | html/a.html   | yes",
        "f | html          | no",
        "f | html/missing  | no",
        "d | html          | yes",
        "d | html/a.html   | no",
        "e | html/a.html   | yes",
        "e | html          | yes",
        "e | html/missing  | no",
        "x | html/run.sh   | yes",
        "x | html/a.html   | no",
        "x | html/missing  | no",
    })
    void fileTestsLookAtTheFileSystem(String op, String path, String expected) {
        String abs = p.prefix().resolve(path).toString();
        assertThat(Requests.get(p, "/file/" + op + "?p=" + abs).bodyText()).isEqualTo(expected);
        assertThat(Requests.get(p, "/file/not" + op + "?p=" + abs).bodyText()).isEqualTo(expected.equals("yes") ? "no" : "yes");
    }

    @Test
    void addHeaderInsideIfReplacesTheLocationsHeaders() {
        RawHttp.Response in = Requests.get(p, "/ifhdr?inner=1");
        assertThat(in.header("X-Inner")).isEqualTo("inner");
        assertThat(in.header("X-Outer")).isNull();
        RawHttp.Response out = Requests.get(p, "/ifhdr");
        assertThat(out.header("X-Outer")).isEqualTo("outer");
        assertThat(out.header("X-Inner")).isNull();
    }

    @Test
    void settingsOfATrueIfApplyToStatementsAfterIt() {
        RawHttp.Response switched = Requests.get(p, "/iferrorpage?x=1");
        assertThat(switched.status()).isEqualTo(200);
        assertThat(switched.bodyText()).isEqualTo("uri=/show/errpage");
        assertThat(Requests.get(p, "/iferrorpage").status()).isEqualTo(404);
    }

    @Test
    void anIfWithoutContentUsesTheLocationsHandlerBuiltWithItsOwnSettings() throws Exception {
        BuildContext build = new BuildContext(new Prefix(Path.of("/tmp"), Path.of("conf/nginx.conf")));
        ConfNode locNode = new ConfNode("location", List.of("/"), Path.of("nginx.conf"), 1, List.of());
        ConfNode ifNode = new ConfNode("if", List.of("($a)"), Path.of("nginx.conf"), 2, List.of());
        LocationBuilder loc = new LocationBuilder(Location.Kind.PREFIX, "/", null, locNode);
        loc.level(new Level(Context.LOCATION, new Level(Context.MAIN, null, null, build), locNode, loc));
        List<Settings> seen = new ArrayList<>();
        loc.level().put(HttpModule.CONTENT, (settings, b) -> {
            seen.add(settings);
            return ex -> { };
        });
        LocationBuilder pseudo = new LocationBuilder(Location.Kind.IF, "/", null, ifNode);
        pseudo.level(new Level(Context.IF_IN_LOCATION, loc.level(), ifNode, pseudo));
        pseudo.level().put(HttpModule.DEFAULT_TYPE, "application/json");

        Location compiledLoc = HttpCompiler.compileLocation(loc, build);
        Location compiledIf = HttpCompiler.compileLocation(pseudo, build);

        ContentHandler ifContent = compiledIf.content();
        assertThat(ifContent).isNotNull();
        assertThat(compiledLoc.content()).isNotNull();
        assertThat(seen).hasSize(2);
        assertThat(seen.get(1).get(HttpModule.DEFAULT_TYPE)).isEqualTo("application/json");
        assertThat(seen.get(0).get(HttpModule.DEFAULT_TYPE)).isEqualTo("text/plain");
    }
}
