package dev.portico.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RewriteTest {
    private static TestPortico p;

    @BeforeAll
    static void start() {
        p = TestPortico.start("""
            error_log logs/error.log notice;
            events {}
            http {
                server {
                    listen 127.0.0.1:8080;
                    server_name localhost;
                    add_header X-Uri "$uri?$args" always;

                    rewrite ^/srvlast/(.*)$ /target/srv-$1 last;
                    rewrite ^/srvlast/ /wrong;

                    location /target/ { return 200 "target uri=$uri args=$args"; }
                    location /last/ { rewrite ^/last/(.*)$ /target/$1 last; return 200 "not reached"; }
                    location /break/ { rewrite ^/break/(.*)$ /target/$1 break; return 200 "not reached"; }
                    location /noflag/ {
                        rewrite ^/noflag/(.*)$ /step2/$1;
                        rewrite ^/step2/(.*)$ /target/$1-chained;
                    }
                    location /noflagreturn/ { rewrite ^ /target/x; return 200 "statements go on"; }
                    location /noflagbreak/ { rewrite ^ /target/x; break; }
                    location /nomatch/ { rewrite ^/other/ /target/x last; return 200 "no match $uri"; }
                    location /redir/ { rewrite ^/redir/(.*)$ /new/$1 redirect; }
                    location /perm/ { rewrite ^/perm/(.*)$ /new/$1 permanent; }
                    location /ext/ { rewrite ^/ext/(.*)$ http://example.com/$1; }
                    location /extperm/ { rewrite ^/extperm/(.*)$ https://example.com/$1 permanent; }
                    location /extlast/ { rewrite ^/extlast/(.*)$ http://example.com/$1 last; }
                    location /scheme/ { rewrite ^/scheme/(.*)$ $scheme://other.test/$1 permanent; }
                    location /extargs/ { rewrite ^ http://example.com/x?a=1 redirect; }
                    location /extdrop/ { rewrite ^ http://example.com/x? redirect; }
                    location /escredir/ { rewrite ^/escredir/(.*)$ http://example.com/$1 redirect; }
                    location /argsadd/ { rewrite ^ /target/q?new=1 last; }
                    location /argsdrop/ { rewrite ^ /target/q? last; }
                    location /argsonly/ { rewrite ^ /target/q?new=1? last; }
                    location /esc/ { rewrite ^/esc/(.*)$ /target/x?q=$1 last; }
                    location /named/ { rewrite "^/named/(?<user_id>[0-9]+)/(?P<tab>\\w+)$" /target/$user_id-$tab last; }
                    location /positional/ { rewrite ^/positional/(\\w+)/(\\w+)$ /target/$2/$1 last; }
                    location /empty/ { rewrite ^ $arg_to last; }
                    location /tointernal { rewrite ^ /internal-only last; }
                    location /internal-only { internal; return 200 "internal ok"; }
                    location /logged/ { rewrite_log on; rewrite ^/logged/(.*)$ /target/$1 last; }

                    location ~ "^/loc/(?<item_id>\\d+)/(?P<part>\\w+)$" { return 200 "item $item_id $part"; }

                    location /x { rewrite ^/(x+)$ /$1x last; }
                    location = /xxxxxxxxxxx { return 200 "reached after 10 rewrites"; }
                    location /y { rewrite ^/(y+)$ /$1y last; }
                    location = /yyyyyyyyyyyy { return 200 "never: needs 11 rewrites"; }
                }
                server {
                    listen 127.0.0.1:8080;
                    server_name "~^(?<sub_name>\\w+)\\.regex\\.test$";
                    return 200 "sub $sub_name";
                }
            }
            """);
    }

    @AfterAll
    static void stop() {
        p.close();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "/last/a?x=1              | target uri=/target/a args=x=1",
        "/noflag/a                | target uri=/target/a-chained args=",
        "/noflagreturn/a          | statements go on",
        "/nomatch/a               | no match /nomatch/a",
        "/srvlast/a               | target uri=/target/srv-a args=",
        "/argsadd/?old=2          | target uri=/target/q args=new=1&old=2",
        "/argsadd/                | target uri=/target/q args=new=1",
        "/argsdrop/?old=2         | target uri=/target/q args=",
        "/argsonly/?old=2         | target uri=/target/q args=new=1",
        "/named/42/posts          | target uri=/target/42-posts args=",
        "/positional/one/two      | target uri=/target/two/one args=",
        "/esc/a%26b%20c           | target uri=/target/x args=q=a%26b%20c",
        "/esc/a&b                 | target uri=/target/x args=q=a&b",
        "/tointernal              | internal ok",
    })
    void internalRewritesReachTheNewLocation(String target, String body) {
        RawHttp.Response r = Requests.get(p, target);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.bodyText()).isEqualTo(body);
    }

    @ParameterizedTest(name = "{0} stays with uri {1}")
    @CsvSource(delimiter = '|', value = {
        "/break/a?k=v     | /target/a?k=v",
        "/noflagbreak/a   | /target/x?",
    })
    void breakKeepsTheLocationWithTheNewUri(String target, String uri) {
        // the location has no content of its own: the default handler answers 404 for the new URI
        RawHttp.Response r = Requests.get(p, target);
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.header("X-Uri")).isEqualTo(uri);
    }

    @ParameterizedTest(name = "{0} -> {1} {2}")
    @CsvSource(delimiter = '|', value = {
        "/redir/a?x=1        | 302 | http://localhost:PORT/new/a?x=1",
        "/perm/a             | 301 | http://localhost:PORT/new/a",
        "/ext/a?x=1          | 302 | http://example.com/a?x=1",
        "/extperm/a          | 301 | https://example.com/a",
        "/extlast/a          | 302 | http://example.com/a",
        "/scheme/a           | 301 | http://other.test/a",
        "/extargs/?b=2       | 302 | http://example.com/x?a=1&b=2",
        "/extdrop/?b=2       | 302 | http://example.com/x",
        "/escredir/a%20b     | 302 | http://example.com/a%20b",
        "/escredir/a%2Cb     | 302 | http://example.com/a,b",
    })
    void redirectsAnswerWithLocation(String target, int status, String location) {
        RawHttp.Response r = Requests.get(p, target);
        assertThat(r.status()).isEqualTo(status);
        assertThat(r.header("Location")).isEqualTo(location.replace("PORT", String.valueOf(p.port(8080))));
        assertThat(r.bodyText()).contains("<center><h1>" + status);
    }

    @Test
    void namedCapturesOfLocationsAndServerNamesAreVariables() {
        assertThat(Requests.get(p, "/loc/7/x").bodyText()).isEqualTo("item 7 x");
        assertThat(Requests.send(p, "GET", "/", "abc.regex.test").bodyText()).isEqualTo("sub abc");
    }

    @Test
    void tenRewritesWithLastAreAllowed() {
        RawHttp.Response r = Requests.get(p, "/x");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.bodyText()).isEqualTo("reached after 10 rewrites");
    }

    @Test
    void theEleventhRewriteIsACycleAnswered500() {
        RawHttp.Response r = Requests.get(p, "/y");
        assertThat(r.status()).isEqualTo(500);
        assertThat(p.errorLog()).contains("rewrite or internal redirection cycle while processing \"/yyyyyyyyyyyy\"");
    }

    @Test
    void anEmptyRewrittenUriIs500() {
        RawHttp.Response r = Requests.get(p, "/empty/");
        assertThat(r.status()).isEqualTo(500);
        assertThat(p.errorLog()).contains("the rewritten URI has a zero length, client: 127.0.0.1");
    }

    @Test
    void internalLocationsStayClosedToClients() {
        assertThat(Requests.get(p, "/internal-only").status()).isEqualTo(404);
    }

    @Test
    void rewriteLogWritesNoticeLines() {
        Requests.get(p, "/logged/a?k=1");
        assertThat(p.errorLog())
            .contains("[notice]")
            .contains("\"^/logged/(.*)$\" matches \"/logged/a\", client: 127.0.0.1, server: localhost, "
                + "request: \"GET /logged/a?k=1 HTTP/1.1\", host: \"localhost\"")
            .contains("rewritten data: \"/target/a\", args: \"k=1\"");
    }
}
