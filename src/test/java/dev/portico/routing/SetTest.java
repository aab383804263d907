package dev.portico.routing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.TestPortico;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SetTest {
    private static TestPortico p;

    @BeforeAll
    static void start() {
        p = TestPortico.start("""
            error_log logs/error.log warn;
            events {}
            http {
                server {
                    listen 127.0.0.1:8080;
                    server_name localhost;
                    set $fromserver "srv";

                    location = /literal { set $a hello; return 200 $a; }
                    location = /template { set $a "$uri:$arg_x"; return 200 $a; }
                    location = /chain { set $a one; set $b "${a}-two"; set $a three; return 200 "$a $b"; }
                    location = /server { return 200 $fromserver; }
                    location = /args { set $args "k=new"; return 200 "$args $arg_k $is_args"; }
                    location = /forward { return 200 "[$setlater]"; }
                    location = /later { set $setlater x; return 200 $setlater; }
                    location = /unset { return 200 "[$never]"; }
                    location = /quiet { uninitialized_variable_warn off; return 200 "[$quietvar]"; }
                    location = /setonly { set $never y; set $quietvar z; return 200 ok; }
                    location = /empty { set $a ""; return 200 "[$a]"; }
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
        "/literal           | hello",
        "/template?x=1      | /template:1",
        "/chain             | three one-two",
        "/server            | srv",
        "/args?k=old        | k=new new ?",
        "/forward           | []",
        "/later             | x",
        "/empty             | []",
    })
    void setAssignsTemplates(String target, String body) {
        assertThat(Requests.get(p, target).bodyText()).isEqualTo(body);
    }

    @Test
    void readingAnUnsetVariableWarns() {
        assertThat(Requests.get(p, "/unset").bodyText()).isEqualTo("[]");
        assertThat(p.errorLog()).contains("[warn]").contains("using uninitialized \"never\" variable, client: 127.0.0.1");
    }

    @Test
    void uninitializedVariableWarnOffIsQuiet() {
        assertThat(Requests.get(p, "/quiet").bodyText()).isEqualTo("[]");
        assertThat(p.errorLog()).doesNotContain("\"quietvar\"");
    }
}
