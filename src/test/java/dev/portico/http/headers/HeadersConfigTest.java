package dev.portico.http.headers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.portico.config.ConfigException;
import dev.portico.testing.TestPortico;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The configuration errors of add_header, add_trailer, their inherit rules and expires. */
class HeadersConfigTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "add_header X;                         | invalid number of arguments in \"add_header\" directive",
        "add_header X y sometimes;             | invalid parameter \"sometimes\"",
        "add_trailer X y z;                    | invalid parameter \"z\"",
        "add_header X $nosuch;                 | unknown \"nosuch\" variable",
        "add_header_inherit maybe;             | invalid value \"maybe\"",
        "add_header_inherit on; add_header_inherit off; | \"add_header_inherit\" directive is duplicate",
        "add_trailer_inherit x;                | invalid value \"x\"",
        "expires soon;                         | \"expires\" directive invalid value",
        "expires 1h; expires 2h;               | \"expires\" directive is duplicate",
        "expires later 1h;                     | \"expires\" directive invalid value",
        "expires modified epoch;               | \"expires\" directive invalid value",
        "expires modified @10h;                | \"expires\" directive daily time cannot be used with \"modified\" parameter",
        "expires @25h;                         | \"expires\" directive daily time value must be less than 24 hours",
        "expires 10ms;                         | \"expires\" directive invalid value",
        "expires;                              | invalid number of arguments in \"expires\" directive",
    })
    void errorsNameTheProblemAndWhereItIs(String snippet, String message) {
        String text = "events {}\nhttp {\n    server {\n        listen 127.0.0.1:8080;\n        location / {\n"
            + snippet + "\n        }\n    }\n}\n";
        ConfigException e = catchThrowableOfType(() -> TestPortico.load(text), ConfigException.class);
        assertThat(e).as("expected an error for %s", snippet).isNotNull();
        assertThat(e.bareMessage()).isEqualTo(message);
        // nginx finds unknown variables once the file is read and names no place for them
        assertThat(e.getMessage()).endsWith(message.matches("unknown \".*\" variable") ? message : "conf/nginx.conf:6");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "add_header X y always; add_trailer T v; add_header_inherit merge; add_trailer_inherit off;",
        "expires modified -1h;",
        "expires $arg_e;",
        "expires @0h15m;",
        "if ($uri) { add_header X y; expires max; add_trailer T v; add_header_inherit on; }",
    })
    void acceptedForms(String snippet) throws Exception {
        TestPortico.load("events {}\nhttp {\n add_header A b;\n server {\n listen 127.0.0.1:8080;\n location / {\n"
            + snippet + "\n }\n }\n}\n");
    }
}
