package dev.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.PortMap;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The default balancer in its basic forms (the full set of methods and failover comes with load balancing). */
class RoundRobinTest {
    private static List<String> sequence(String servers, int requests, int... backends) throws Exception {
        PortMap ports = new PortMap();
        List<Backend> started = new ArrayList<>();
        try {
            for (int port : backends) {
                String name = Integer.toString(port);
                started.add(Backend.on(ports, port, ex -> ex.send(200, name)));
            }
            String conf = "events {}\nhttp {\n upstream backend { " + servers + " keepalive 0; }\n"
                + " server { listen 127.0.0.1:8080; location / { proxy_pass http://backend; } }\n}\n";
            List<String> out = new ArrayList<>();
            try (TestPortico p = TestPortico.builder().ports(ports).conf(conf).start(); RawHttp c = new RawHttp(p.port(8080))) {
                for (int i = 0; i < requests; i++) {
                    RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false);
                    out.add(r.status() == 200 ? r.bodyText() : Integer.toString(r.status()));
                }
            }
            return out;
        } finally {
            for (Backend b : started) {
                b.close();
            }
        }
    }

    @Test
    void equalServersTakeTurns() throws Exception {
        assertThat(sequence("server 127.0.0.1:17081; server 127.0.0.1:17082;", 4, 17081, 17082))
            .containsExactly("17081", "17082", "17081", "17082");
    }

    @Test
    void weightsFollowNginxsSmoothOrder() throws Exception {
        assertThat(sequence("server 127.0.0.1:17081 weight=2; server 127.0.0.1:17082;", 6, 17081, 17082))
            .containsExactly("17081", "17082", "17081", "17081", "17082", "17081");
    }

    @Test
    void downServersAreSkippedAndBackupsWaitForTheirTurn() throws Exception {
        assertThat(sequence("server 127.0.0.1:17081 down; server 127.0.0.1:17082; server 127.0.0.1:17083 backup;", 3,
            17081, 17082, 17083)).containsExactly("17082", "17082", "17082");
        // the only primary refuses: the backup answers
        assertThat(sequence("server 127.0.0.1:17084; server 127.0.0.1:17085; server 127.0.0.1:17083 backup;", 2, 17083))
            .containsExactly("17083", "17083");
    }

    @Test
    void aRefusingServerIsSkippedForTheNextOne() throws Exception {
        assertThat(sequence("server 127.0.0.1:17089; server 127.0.0.1:17082;", 3, 17082))
            .containsExactly("17082", "17082", "17082");
    }
}
