package dev.portico.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import org.junit.jupiter.api.Test;

/** split_clients puts each key where nginx puts it (nginx's MurmurHash2 and bucket bounds). */
class SplitClientsTest {
    @Test
    void keysLandInTheBucketsNginxChooses() {
        // what nginx 1.22.1 answered for k=1..40 with this block, recorded by hand
        String nginx = "cdbddeddbddbbdeeeeebeadebbeabdddeeeddddb";
        try (TestPortico p = TestPortico.start("events {}\nhttp {\n"
                + " split_clients \"${arg_k}x\" $v { 10% a; 20.5% b; 0.5% c; 30% e; * d; }\n"
                + " server { listen 127.0.0.1:8080; return 200 \"$v\"; }\n}\n")) {
            StringBuilder got = new StringBuilder();
            for (int k = 1; k <= 40; k++) {
                try (RawHttp c = new RawHttp(p.port(8080))) {
                    got.append(c.send("GET /?k=" + k + " HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false).bodyText());
                }
            }
            assertThat(got.toString()).isEqualTo(nginx);
        }
    }

    @Test
    void percentagesAreChecked() {
        assertThat(catchThrowable(() -> TestPortico.load("events {}\nhttp { split_clients $remote_addr $v { 60% a; 50% b; } }\n")))
            .hasMessageContaining("percent total is greater than 100%");
        assertThat(catchThrowable(() -> TestPortico.load("events {}\nhttp { split_clients $remote_addr $v { 1.234% a; } }\n")))
            .hasMessageContaining("invalid percent value \"1.234%\"");
    }
}
