package dev.portico.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.portico.config.ConfigException;
import dev.portico.testing.TestPortico;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The configuration errors of rewrite, if, set, return, error_page and map, worded and located as nginx. */
class RoutingConfigTest {

    /** Puts {@code snippet} at http (line 3), server (line 6) or location (line 8) level. */
    private static String conf(String where, String snippet) {
        return "events {}\n"
            + "http {\n"
            + (where.equals("http") ? snippet : "") + "\n"
            + "    server {\n"
            + "        listen 127.0.0.1:8080;\n"
            + (where.equals("server") ? snippet : "") + "\n"
            + "        location / {\n"
            + (where.equals("location") ? snippet : "") + "\n"
            + "        }\n"
            + "    }\n"
            + "}\n";
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "location | rewrite ^ '';                          | empty replacement",
        "location | rewrite ^ /x bogus;                    | invalid parameter \"bogus\"",
        "location | rewrite ^(a /x;                        | pcre2_compile() failed: missing closing parenthesis in \"^(a\"",
        "location | rewrite ^ /x$ ;                        | invalid variable name in \"/x$\"",
        "location | rewrite ^ /$nosuch;                    | unknown \"nosuch\" variable",
        "http     | rewrite ^ /x;                          | \"rewrite\" directive is not allowed here",
        "location | return 1000;                           | invalid return code \"1000\"",
        "location | return abc;                            | invalid return code \"abc\"",
        "location | return /relative;                      | invalid return code \"/relative\"",
        "location | return 200 a b;                        | invalid number of arguments in \"return\" directive",
        "location | set foo bar;                           | invalid variable name \"foo\"",
        "location | set $uri /x;                           | the duplicate \"uri\" variable",
        "http     | set $a b;                              | \"set\" directive is not allowed here",
        "location | break x;                               | invalid number of arguments in \"break\" directive",
        "location | if $a { }                              | invalid condition \"$a\"",
        "location | if ($a { }                             | invalid condition \"$a\"",
        "location | if ($uri) { }                          | ",
        "location | if ($nosuch) { }                       | unknown \"nosuch\" variable",
        "location | if ($uri == a) { }                     | unexpected \"==\" in condition",
        "location | if ($uri = a b) { }                    | invalid condition \"$uri\"",
        "location | if (-z /x) { }                         | invalid condition \"-z\"",
        "location | if (-f) { }                            | invalid condition \"-f\"",
        "location | if ( ) { }                             | invalid condition \")\"",
        "location | if ($uri ~ \"(\") { }                  | pcre2_compile() failed: missing closing parenthesis in \"(\"",
        "location | if ($uri) { listen 80; }               | \"listen\" directive is not allowed here",
        "location | if ($uri) { if ($uri) { } }            | \"if\" directive is not allowed here",
        "server   | if ($uri) { add_header X y; }          | \"add_header\" directive is not allowed here",
        "http     | if ($uri) { }                          | \"if\" directive is not allowed here",
        "location | if ($uri);                             | directive \"if\" has no opening \"{\"",
        "location | rewrite_log on; rewrite_log off;       | \"rewrite_log\" directive is duplicate",
        "location | rewrite_log maybe;                     | invalid value \"maybe\" in \"rewrite_log\" directive, it must be \"on\" or \"off\"",
        "location | error_page 404;                        | invalid number of arguments in \"error_page\" directive",
        "location | error_page =200 /x;                    | invalid value \"=200\"",
        "location | error_page 404 =abc /x;                | invalid value \"=abc\"",
        "location | error_page 200 /x;                     | value \"200\" must be between 300 and 599",
        "location | error_page 600 /x;                     | value \"600\" must be between 300 and 599",
        "location | error_page 499 /x;                     | invalid value \"499\"",
        "location | error_page 4o4 /x;                     | invalid value \"4o4\"",
        "location | recursive_error_pages yes;             | invalid value \"yes\" in \"recursive_error_pages\" directive, it must be \"on\" or \"off\"",
        "server   | map $a $b { }                          | \"map\" directive is not allowed here",
        "http     | map $uri b { }                         | invalid variable name \"b\"",
        "http     | map $uri $host { }                     | the duplicate \"host\" variable",
        "http     | map $nosuch $b { }                     | unknown \"nosuch\" variable",
        "http     | map $uri $b { default 1; default 2; }  | duplicate default map parameter",
        "http     | map $uri $b { a 1; A 2; }              | conflicting parameter \"A\"",
        "http     | map $uri $b { a 1 2; }                 | invalid number of the map parameters",
        "http     | map $uri $b { default; }               | invalid number of the map parameters",
        "http     | map $uri $b { hostnames; a.*.b 1; }    | invalid hostname or wildcard \"a.*.b\"",
        "http     | map $uri $b { hostnames; *.a 1; .a 2; } | conflicting parameter \".a\"",
        "http     | map $uri $b { ~(x 1; }                 | pcre2_compile() failed: missing closing parenthesis in \"(x\"",
        "http     | map $uri $b { a { } }                  | unexpected \"{\"",
        "http     | map $uri $b { a $nosuch; }             | unknown \"nosuch\" variable",
        "http     | map $uri $b { } map $uri $b { }        | duplicate \"b\" variable",
    })
    void errorsNameTheProblemAndWhereItIs(String where, String snippet, String message) {
        String text = conf(where, snippet);
        ConfigException e = catchThrowableOfType(() -> TestPortico.load(text), ConfigException.class);
        if (message == null) {
            assertThat(e).isNull();
            return;
        }
        assertThat(e).as("expected an error for %s", snippet).isNotNull();
        int line = where.equals("http") ? 3 : where.equals("server") ? 6 : 8;
        assertThat(e.bareMessage()).isEqualTo(message);
        if (message.matches("unknown \".*\" variable")) {
            // nginx finds unknown variables once the file is read and names no place for them
            assertThat(e.getMessage()).isEqualTo(message);
            return;
        }
        assertThat(e.getMessage()).endsWith(" in " + e.file() + ":" + line);
        assertThat(e.file().toString()).endsWith("conf/nginx.conf");
    }
}
