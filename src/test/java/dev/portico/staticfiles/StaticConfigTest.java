package dev.portico.staticfiles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portico.config.ConfigException;
import dev.portico.testing.TestPortico;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Config tier: the static-file directives refuse what nginx refuses, with nginx's words and FILE:LINE. */
class StaticConfigTest {

    /** Loads "events {} http { server { listen 8080; LINE3 } }" with {@code body} on line 3 and returns the error. */
    private static String error(String body) throws Exception {
        Path dir = Files.createTempDirectory("portico-static-conf");
        String conf = "events {}\nhttp {\nserver { listen 127.0.0.1:8080; " + body + " }\n}\n";
        try {
            TestPortico.builder().prefix(dir).conf(conf).load();
        } catch (ConfigException e) {
            return e.getMessage().replace(dir.resolve("conf/nginx.conf").toString(), "FILE");
        }
        return null;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "location / { root /a; alias /b; } | \"alias\" directive is duplicate, \"root\" directive was specified earlier",
        "location / { alias /b; root /a; } | \"root\" directive is duplicate, \"alias\" directive was specified earlier",
        "location / { root /a; root /b; } | \"root\" directive is duplicate",
        "location / { alias /a; alias /b; } | \"alias\" directive is duplicate",
        "alias /a; | \"alias\" directive is not allowed here",
        "location @n { alias /a; } | the \"alias\" directive cannot be used inside the named location",
        "root $document_root/x; | the $document_root variable cannot be used in the \"root\" directive",
        "location / { alias ${realpath_root}; } | the $realpath_root variable cannot be used in the \"alias\" directive",
        "root /a /b; | invalid number of arguments in \"root\" directive",
        "root $nosuchvar; | unknown \"nosuchvar\" variable",
        "try_files $uri; | invalid number of arguments in \"try_files\" directive",
        "try_files $uri =abc; | invalid code \"=abc\"",
        "try_files $uri =1000; | invalid code \"=1000\"",
        "try_files $uri =; | invalid code \"=\"",
        "try_files $uri =404; try_files $uri =404; | \"try_files\" directive is duplicate",
        "index \"\"; | index \"\" in \"index\" directive is invalid",
        "autoindex maybe; | invalid value \"maybe\" in \"autoindex\" directive, it must be \"on\" or \"off\"",
        "autoindex on; autoindex off; | \"autoindex\" directive is duplicate",
        "autoindex_format yaml; | invalid value \"yaml\"",
        "if_modified_since sometimes; | invalid value \"sometimes\"",
        "max_ranges -1; | \"max_ranges\" directive invalid number",
        "etag weak; | invalid value \"weak\" in \"etag\" directive, it must be \"on\" or \"off\"",
        "disable_symlinks maybe; | invalid parameter \"maybe\"",
        "disable_symlinks off from=$document_root; | \"from=\" cannot be used with \"off\" parameter",
        "disable_symlinks on if_not_owner; | duplicate parameters \"on if_not_owner\"",
        "disable_symlinks from=/a; | \"disable_symlinks\" must have \"off\", \"on\" or \"if_not_owner\" parameter",
        "types { text/html html { } } | unexpected \"{\"",
        "types; | directive \"types\" has no opening \"{\"",
        "charset_map koi8-r utf-8 { } | unknown directive \"charset_map\"",
        "charset_types text/css; charset_types text/xml; | \"charset_types\" directive is duplicate",
    })
    void invalidDirectivesAreRefusedWithNginxMessages(String body, String message) throws Exception {
        // nginx finds unknown variables once the file is read and names no place for them
        assertThat(error(body)).isEqualTo(message.startsWith("unknown \"") ? message : message + " in FILE:3");
    }

    @Test
    void tryFilesIsNotAllowedAtHttpLevel() throws Exception {
        Path dir = Files.createTempDirectory("portico-static-conf");
        assertThatThrownBy(() -> TestPortico.builder().prefix(dir).conf("events {}\nhttp {\ntry_files $uri =404;\n}\n").load())
            .hasMessage("\"try_files\" directive is not allowed here in " + dir.resolve("conf/nginx.conf") + ":3");
    }

    @Test
    void errorInAnIncludedTypesFileNamesThatFile() throws Exception {
        Path dir = Files.createTempDirectory("portico-static-conf");
        assertThatThrownBy(() -> TestPortico.builder().prefix(dir)
            .file("conf/bad.types", "types {\n    text/html html;\n    nested { }\n}\n")
            .conf("events {}\nhttp {\ninclude bad.types;\n}\n").load())
            .hasMessage("unexpected \"{\" in " + dir.resolve("conf/bad.types") + ":3");
    }

    @Test
    void validStaticConfigurationLoads() throws Exception {
        assertThat(error("""
            root html; index index.html index.htm /fallback.php; autoindex on; autoindex_format json;
            charset utf-8; charset_types text/css *; source_charset utf-8; override_charset on; etag off;
            if_modified_since before; max_ranges 2; disable_symlinks if_not_owner from=$document_root; log_not_found off;
            types { text/html html; }
            location / { try_files $uri $uri/ /index.php?$args; }
            location ~ ^/(.+)$ { alias /srv/$1; }
            location @named { root /srv; try_files $uri =404; }
            """)).isNull();
    }
}
