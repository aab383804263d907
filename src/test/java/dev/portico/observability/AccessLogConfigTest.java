package dev.portico.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portico.config.ConfigException;
import dev.portico.testing.TestPortico;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Config tier: the log directives' errors, worded as nginx words them, with FILE:LINE. */
class AccessLogConfigTest {

    /** The directive under test stands on line 3 of conf/nginx.conf. */
    private static String conf(String httpLine) {
        return "events {}\nhttp {\n" + httpLine + "\nserver { listen 127.0.0.1:8080; }\n}\n";
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        log_format combined '$remote_addr';                                  | duplicate "log_format" name "combined"
        log_format a '$status'; log_format a '$status';                       | duplicate "log_format" name "a"
        log_format a escape=xml '$status';                                    | unknown log format escaping "xml"
        log_format a '$nope';                                                 | unknown "nope" variable
        log_format a 'x $';                                                   | invalid parameter "$"
        log_format a '${status';                                              | the closing bracket in "status" variable is missing
        log_format a 'x $-y';                                                 | invalid parameter "$-y"
        log_format a;                                                         | invalid number of arguments in "log_format" directive
        access_log logs/a.log main;                                           | unknown log format "main"
        access_log logs/a.log main; log_format main '$status';                | unknown log format "main"
        access_log logs/a.log combined buffer=0;                              | invalid buffer size "0"
        access_log logs/a.log combined buffer=lots;                           | invalid buffer size "lots"
        access_log logs/a.log combined flush=5s;                              | no buffer is defined for access_log "logs/a.log"
        access_log logs/a.log combined buffer=8k flush=soon;                  | invalid flush time "soon"
        access_log logs/a.log combined gzip=10;                               | invalid compression level "10"
        access_log logs/a.log combined gzip=;                                 | invalid compression level ""
        access_log logs/a.log combined rotate=daily;                          | invalid parameter "rotate=daily"
        access_log off combined;                                              | invalid parameter "combined"
        access_log logs/$host.log combined buffer=8k;                         | buffered logs cannot have variables in name
        access_log logs/a.log combined buffer=8k; access_log logs/a.log combined buffer=16k; | access_log "logs/a.log" already defined with conflicting parameters
        access_log logs/a.log combined if=$nope;                              | unknown "nope" variable
        access_log syslog:server=127.0.0.1 combined;                          | "syslog:" logging is not supported in "access_log" directive
        error_log syslog:server=127.0.0.1 warn;                               | "syslog:" logging is not supported in "error_log" directive
        error_log memory:32m debug;                                           | "memory:" logging is not supported in "error_log" directive
        open_log_file_cache inactive=20s;                                     | "open_log_file_cache" must have "max" parameter
        open_log_file_cache max=10 forever;                                   | invalid "open_log_file_cache" parameter "forever"
        open_log_file_cache max=10; open_log_file_cache off;                  | "open_log_file_cache" directive is duplicate
        """)
    void badDirectiveIsRefusedWithNginxMessage(String directive, String message) {
        if (message.startsWith("unknown \"")) {
            // nginx names no file or line for an unknown variable
            assertThatThrownBy(() -> TestPortico.load(conf(directive)))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(message);
            return;
        }
        assertThatThrownBy(() -> TestPortico.load(conf(directive)))
            .isInstanceOf(ConfigException.class)
            .hasMessageStartingWith(message + " in ")
            .hasMessageEndingWith("nginx.conf:3");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "server { log_format a '$status'; }",
        "server { location / { log_format a '$status'; } }",
    })
    void logFormatOnlyAtHttpLevel(String block) {
        assertThatThrownBy(() -> TestPortico.load(conf(block)))
            .hasMessageStartingWith("\"log_format\" directive is not allowed here in ");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "log_format main escape=json '{\"s\":\"$status\"}' '\\n'; access_log logs/a.log main buffer=32k gzip=5 flush=1m if=$arg_x;",
        "log_format empty escape=none; access_log logs/a.log empty;",
        "access_log logs/a.log; access_log logs/a.log combined buffer=8k; access_log logs/a.log combined buffer=8k;",
        "access_log off; access_log logs/b.log;",
        "open_log_file_cache max=1000 inactive=20s valid=1m min_uses=2;",
        "open_log_file_cache off;",
        "server { listen 127.0.0.1:8081; location / { access_log logs/$host.log; error_log logs/loc.log info; } }",
    })
    void validDirectivesLoad(String directives) throws ConfigException {
        assertThat(TestPortico.load(conf(directives))).isNotNull();
    }

    @org.junit.jupiter.api.Test
    void unwritableLogPathFailsLikeNginxOpen() {
        assertThatThrownBy(() -> TestPortico.load(conf("access_log /dev/null/x.log;")))
            .hasMessage("open() \"/dev/null/x.log\" failed (20: Not a directory)");
    }
}
