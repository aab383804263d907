package dev.portico.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.portico.testing.TestPortico;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every configuration error in nginx's words, with the absolute file and the line where nginx
 * reports it (the line of the directive's {@code ;} or {@code {}). {@code F} in the tables stands
 * for the main file, conf/nginx.conf.
 */
class ConfigErrorsTest {
    @TempDir
    Path prefix;

    private String error(TestPortico.Builder b) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> b.prefix(prefix).load());
        assertThat(e).as("a configuration error").isNotNull();
        return e.getMessage();
    }

    private String error(String conf) {
        return error(TestPortico.builder().conf(conf.replace("\\n", "\n")));
    }

    private String main() {
        return prefix.resolve("conf/nginx.conf").toString();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        // the dispatcher: unknown, not allowed here, arguments, duplicate, blocks
        "events {}\\nfoo bar;                                  | unknown directive \"foo\" in F:2",
        "events {}\\nhttp { server { lisen 80; } }              | unknown directive \"lisen\" in F:2",
        "events {}\\nlisten 80;                                | \"listen\" directive is not allowed here in F:2",
        "events {}\\nworker_connections 10;                    | \"worker_connections\" directive is not allowed here in F:2",
        "events { daemon off; }                                | \"daemon\" directive is not allowed here in F:1",
        "events {}\\nhttp { location / { } }                    | \"location\" directive is not allowed here in F:2",
        "events {}\\ndaemon;                                   | invalid number of arguments in \"daemon\" directive in F:2",
        "events {}\\ndaemon on off;                            | invalid number of arguments in \"daemon\" directive in F:2",
        "events {}\\nhttp { server { return; } }                | invalid number of arguments in \"return\" directive in F:2",
        "events {}\\ninclude a b;                              | invalid number of arguments in \"include\" directive in F:2",
        "events {}\\nhttp { server { location { } } }           | invalid number of arguments in \"location\" directive in F:2",
        "events {}\\ndaemon on;\\ndaemon off;                   | \"daemon\" directive is duplicate in F:3",
        "events {}\\nevents {}                                 | \"events\" directive is duplicate in F:2",
        "events {}\\nhttp {}\\nhttp {}                          | \"http\" directive is duplicate in F:3",
        "events {}\\nhttp { client_max_body_size 1m; client_max_body_size 2m; } | \"client_max_body_size\" directive is duplicate in F:2",
        "events {}\\nhttp;                                     | directive \"http\" has no opening \"{\" in F:2",
        "events;                                               | directive \"events\" has no opening \"{\" in F:1",
        "events {}\\ndaemon off { }                            | directive \"daemon\" is not terminated by \";\" in F:2",
        "events {}\\ninclude x.conf { }                        | directive \"include\" is not terminated by \";\" in F:2",
        // values
        "events {}\\nhttp { server_tokens maybe; }              | invalid value \"maybe\" in F:2",
        "events {}\\ndaemon maybe;                             | invalid value \"maybe\" in \"daemon\" directive, it must be \"on\" or \"off\" in F:2",
        "events {}\\nworker_processes lots;                    | \"worker_processes\" directive invalid value in F:2",
        "events { worker_connections many; }                   | invalid number \"many\" in F:1",
        "events {}\\nhttp { client_max_body_size 10q; }         | \"client_max_body_size\" directive invalid value in F:2",
        "events {}\\nhttp { keepalive_timeout 5x; }             | \"keepalive_timeout\" directive invalid value in F:2",
        "events {}\\nhttp { keepalive_requests -1; }            | \"keepalive_requests\" directive invalid number in F:2",
        "events {}\\nerror_log logs/e.log loud;                | invalid log level \"loud\" in F:2",
        // the grammar
        "events {}\\n}                                         | unexpected \"}\" in F:2",
        "events {}\\nhttp { server foo } }                     | unexpected \"}\" in F:2",
        "events {}\\ndaemon off                                | unexpected end of file, expecting \";\" or \"}\" in F:2",
        "events {}\\ndaemon off\\n                              | unexpected end of file, expecting \";\" or \"}\" in F:3",
        "events {}\\nhttp {\\n  server {\\n                     | unexpected end of file, expecting \"}\" in F:4",
        "events {}\\nhttp { return 200 \"open quote; }\\n       | unexpected end of file, expecting \";\" or \"}\" in F:3",
        "events {}\\n;                                         | unexpected \";\" in F:2",
        "events {}\\n{ }                                       | unexpected \"{\" in F:2",
        "events {}\\nhttp { return 200 \"a\"b; }                 | unexpected \"b\" in F:2",
        // the main context
        "daemon off;                                           | no \"events\" section in configuration",
    })
    void errorsAreWordedAsNginxWithFileAndLine(String conf, String expected) {
        assertThat(error(conf)).isEqualTo(expected.replace("F:", main() + ":"));
    }

    @Test
    void aDirectiveSpanningLinesIsReportedAtItsSemicolon() {
        assertThat(error("events {}\nhttp {\n    server {\n        listen\n            80\n            wrong_option\n        ;\n    }\n}\n"))
            .isEqualTo("invalid parameter \"wrong_option\" in " + main() + ":7");
    }

    @Test
    void aMissingIncludeIsReportedAtTheIncludeDirective() {
        assertThat(error("events {}\nhttp {\n    include sites/missing.conf;\n}\n"))
            .isEqualTo("open() \"" + prefix.resolve("conf/sites/missing.conf") + "\" failed (2: No such file or directory) in "
                + main() + ":3");
    }

    @Test
    void errorsInsideIncludedFilesNameTheIncludedFile() {
        String site = prefix.resolve("conf/conf.d/site.conf").toString();
        TestPortico.Builder unknown = TestPortico.builder()
            .conf("events {}\nhttp {\n    include conf.d/*.conf;\n}\n")
            .file("conf/conf.d/site.conf", "server {\n    listen 80;\n\n    proxy_pas http://x;\n}\n");
        assertThat(error(unknown)).isEqualTo("unknown directive \"proxy_pas\" in " + site + ":4");

        TestPortico.Builder syntax = TestPortico.builder()
            .conf("events {}\nhttp {\n    include conf.d/*.conf;\n}\n")
            .file("conf/conf.d/site.conf", "server {\n    listen 80;\n");
        assertThat(error(syntax)).isEqualTo("unexpected end of file, expecting \"}\" in " + site + ":3");

        // a block cannot close in another file
        TestPortico.Builder closing = TestPortico.builder()
            .conf("events {}\nhttp {\n    include conf.d/*.conf;\n}\n")
            .file("conf/conf.d/site.conf", "server {\n}\n}\n");
        assertThat(error(closing)).isEqualTo("unexpected \"}\" in " + site + ":3");
    }

    @Test
    void aMissingFileIncludedFromAnIncludedFileIsReportedThere() {
        String site = prefix.resolve("conf/conf.d/site.conf").toString();
        TestPortico.Builder b = TestPortico.builder()
            .conf("events {}\nhttp {\n    include conf.d/site.conf;\n}\n")
            .file("conf/conf.d/site.conf", "server {\n    include snippets/none.conf;\n}\n");
        assertThat(error(b)).isEqualTo("open() \"" + prefix.resolve("conf/snippets/none.conf")
            + "\" failed (2: No such file or directory) in " + site + ":2");
    }

    @Test
    void ofTwoErrorsTheFirstInReadingOrderIsReported() {
        // nginx reads and applies in one pass: a bad directive before a syntax error is what it reports
        assertThat(error("events {}\nbogus;\nhttp {\n    server {\n")).isEqualTo("unknown directive \"bogus\" in " + main() + ":2");
        assertThat(error("events {}\nhttp {\n    server {\n        listen 80 nonsense;\n    }\n    server {\n"))
            .isEqualTo("invalid parameter \"nonsense\" in " + main() + ":4");
        // and a syntax error before a bad directive
        assertThat(error("events {}\nhttp { ; }\nbogus;\n")).isEqualTo("unexpected \";\" in " + main() + ":2");
    }

    @Test
    void aMissingMainFileIsReportedWithoutLocation() {
        ConfigException e = catchThrowableOfType(ConfigException.class,
            () -> dev.portico.lifecycle.SnapshotBuilder.build(new dev.portico.core.Prefix(prefix, Path.of("conf/none.conf")), null));
        assertThat(e.getMessage()).isEqualTo("open() \"" + prefix.resolve("conf/none.conf") + "\" failed (2: No such file or directory)");
    }
}
