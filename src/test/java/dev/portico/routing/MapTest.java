package dev.portico.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.TestPortico;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MapTest {
    private static TestPortico p;

    @BeforeAll
    static void start() {
        p = TestPortico.builder().conf("""
            events {}
            http {
                map $arg_k $exact {
                    default           def;
                    foo               is-foo;
                    Bar               is-bar;
                    "\\default"        literal-default;
                    "~^re(\\d+)$"      re-$1;
                    "~*^CI(?<rest_of>\\w+)$" ci-$rest_of;
                    ~^re              re-prefix;
                    ""                empty-source;
                }
                map $host $hostmap {
                    hostnames;
                    default            none;
                    example.com        exact;
                    *.example.com      leading;
                    *.sub.example.com  longer-leading;
                    .example.org       dotted;
                    www.example.*      trailing;
                    www.example.co.*   longer-trailing;
                    ~^re\\.            regex;
                }
                map $arg_v $withvars {
                    default  "dflt-$arg_other";
                    a        "$arg_other-a";
                }
                map $arg_k $included {
                    include  maps/included.map;
                    default  no;
                }
                map $arg_k $nodefault { x 1; }
                map $uri $cached { default other; /vol/a a; /vol/b b; }
                map $uri $vol { volatile; default other; /vol/a a; /vol/b b; }
                map $exact $chained { is-foo chained-foo; default chained-other; }

                server {
                    listen 127.0.0.1:8080;
                    server_name localhost;
                    location = /exact { return 200 $exact; }
                    location = /host { return 200 $hostmap; }
                    location = /vars { return 200 $withvars; }
                    location = /include { return 200 $included; }
                    location = /nodefault { return 200 "[$nodefault]"; }
                    location = /chained { return 200 $chained; }
                    location = /early { return 200 $late; }
                    location = /captures { return 200 "$exact $1"; }
                    location /vol/a { set $before "$cached+$vol"; rewrite ^ /vol/b last; }
                    location /vol/b { return 200 "$before $cached+$vol"; }
                }

                map $arg_k $late { default late-default; now late-now; }
            }
            """).file("conf/maps/included.map", "inc1 yes-1;\ninc2 yes-2;\n").start();
    }

    @AfterAll
    static void stop() {
        p.close();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "/exact?k=foo       | is-foo",
        "/exact?k=FOO       | is-foo",
        "/exact?k=bar       | is-bar",
        "/exact?k=default   | literal-default",
        "/exact?k=re42      | re-42",
        "/exact?k=re4x      | re-prefix",
        "/exact?k=RE42      | def",
        "/exact?k=ciXyz     | ci-Xyz",
        "/exact?k=CIabc     | ci-abc",
        "/exact?k=zzz       | def",
        "/exact             | empty-source",
        "/captures?k=re7    | re-7 7",
        "/vars?v=a&other=o  | o-a",
        "/vars?other=o      | dflt-o",
        "/include?k=inc2    | yes-2",
        "/include?k=inc3    | no",
        "/nodefault?k=y     | []",
        "/nodefault?k=x     | [1]",
        "/chained?k=foo     | chained-foo",
        "/chained?k=bar     | chained-other",
        "/early?k=now       | late-now",
        "/early             | late-default",
        "/vol/a             | a+a a+b",
    })
    void mapsPickTheValue(String target, String body) {
        assertThat(Requests.get(p, target).bodyText()).isEqualTo(body);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "example.com             | exact",
        "EXAMPLE.com.            | exact",
        "a.example.com           | leading",
        "a.b.example.com         | leading",
        "x.sub.example.com       | longer-leading",
        "sub.example.com         | leading",
        "example.org             | dotted",
        "a.example.org           | dotted",
        "www.example.net         | trailing",
        "www.example.co.uk       | longer-trailing",
        "www.example             | none",
        "re.example.net          | regex",
        "other.test              | none",
    })
    void hostnamesMatchWildcardsLongestFirst(String host, String value) {
        assertThat(Requests.send(p, "GET", "/host", host).bodyText()).isEqualTo(value);
    }
}
