package dev.portico.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.Await;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** SIGHUP / -s reload: a new configuration swaps in whole, or not at all, while clients keep being served. */
class ReloadTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static String conf(String version, String... extraServers) {
        StringBuilder b = new StringBuilder("error_log logs/error.log notice;\nevents {}\nhttp {\n"
            + "    server {\n        listen 127.0.0.1:18080;\n        location / { return 200 \"" + version + "\\n\"; }\n"
            + "        location /upload { }\n    }\n");
        for (String s : extraServers) {
            b.append("    ").append(s).append('\n');
        }
        return b.append("}\n").toString();
    }

    /** A client that opens a new connection for every request, so a moment without a listener shows as a failure. */
    private static final class Hammer implements AutoCloseable {
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicInteger requests = new AtomicInteger();
        final List<String> failures = new CopyOnWriteArrayList<>();
        final List<String> bodies = new CopyOnWriteArrayList<>();
        final Thread thread;

        Hammer(int port) {
            thread = new Thread(() -> {
                while (!stop.get()) {
                    try (RawHttp c = new RawHttp(port)) {
                        RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").readResponse(false);
                        if (r.status() != 200) {
                            failures.add("status " + r.status());
                        } else if (bodies.isEmpty() || !bodies.get(bodies.size() - 1).equals(r.bodyText())) {
                            bodies.add(r.bodyText());
                        }
                    } catch (RuntimeException e) {
                        failures.add(e.toString());
                    }
                    requests.incrementAndGet();
                }
            }, "hammer");
            thread.start();
        }

        void awaitMore(int n) {
            int target = requests.get() + n;
            Await.until(WAIT, n + " more requests", () -> requests.get() >= target);
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join(10_000);
        }
    }

    @Test
    void aChangedConfigurationTakesOverWithoutAFailedRequest() throws Exception {
        try (TestPortico p = TestPortico.start(conf("v1")); Hammer h = new Hammer(p.port(18080))) {
            h.awaitMore(20);
            for (int i = 2; i <= 6; i++) {
                assertThat(p.reload(conf("v" + i))).isNull();
                String want = "v" + i + "\n";
                Await.until(WAIT, "the client to see " + want.trim(), () -> h.bodies.contains(want));
                h.awaitMore(10);
            }
            h.close();
            assertThat(h.failures).isEmpty();
            // each configuration took over for good: no request went back to an older one
            assertThat(h.bodies).containsExactly("v1\n", "v2\n", "v3\n", "v4\n", "v5\n", "v6\n");
        }
    }

    @Test
    void listenersAreAddedAndRemovedWhileUnchangedOnesKeepAccepting() throws Exception {
        String before = conf("one", "server { listen 127.0.0.1:18082; return 200 \"leaving\\n\"; }");
        String after = conf("two", "server { listen 127.0.0.1:18081; return 200 \"arriving\\n\"; }");
        try (TestPortico p = TestPortico.start(before); Hammer h = new Hammer(p.port(18080))) {
            assertThat(get(p.port(18082))).isEqualTo("leaving\n");
            assertThat(connects(p.port(18081))).isFalse();
            h.awaitMore(10);
            assertThat(p.reload(after)).isNull();
            assertThat(get(p.port(18081))).isEqualTo("arriving\n");
            Await.until(WAIT, "the removed listener to close", () -> !connects(p.port(18082)));
            h.awaitMore(10);
            assertThat(p.reload(before)).isNull();
            assertThat(get(p.port(18082))).isEqualTo("leaving\n");
            h.awaitMore(10);
            h.close();
            assertThat(h.failures).isEmpty();
        }
    }

    @Test
    void aKeepAliveConnectionGetsTheNewConfigurationForItsNextRequest() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        try (TestPortico p = TestPortico.start(conf("before"))) {
            URI uri = p.uri(18080, "/");
            assertThat(client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body()).isEqualTo("before\n");
            assertThat(p.reload(conf("after"))).isNull();
            assertThat(client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body()).isEqualTo("after\n");
            // the same connection, still open
            assertThat(p.server().openConnections()).isEqualTo(1);
        }
    }

    @Test
    void aBrokenConfigurationIsReportedWithFileAndLineAndTheOldOneKeepsServing() throws Exception {
        try (TestPortico p = TestPortico.start(conf("good"))) {
            String error = p.reload("events {}\nhttp {\n    server {\n        listen 127.0.0.1:18080;\n        retrun 200;\n    }\n}\n");
            String message = "unknown directive \"retrun\" in " + p.prefix().resolve("conf/nginx.conf") + ":5";
            assertThat(error).isEqualTo(message);
            assertThat(p.errorLog()).containsPattern("\\[emerg\\] \\d+#\\d+: " + java.util.regex.Pattern.quote(message));
            assertThat(get(p.port(18080))).isEqualTo("good\n");
            // and a later good one still applies
            assertThat(p.reload(conf("better"))).isNull();
            assertThat(get(p.port(18080))).isEqualTo("better\n");
        }
    }

    @Test
    void aListenerThatCannotBeBoundKeepsTheOldConfiguration() throws Exception {
        try (TestPortico p = TestPortico.start(conf("kept"));
             ServerSocket taken = new ServerSocket(p.port(18090), 1, InetAddress.getByName("127.0.0.1"))) {
            int busy = p.port(18090);
            String error = p.reload(conf("lost", "server { listen 127.0.0.1:18090; }"));
            assertThat(error).isEqualTo("bind() to 127.0.0.1:" + busy + " failed (98: Address already in use)");
            assertThat(p.errorLog()).contains("[emerg]", "bind() to 127.0.0.1:" + busy + " failed (98: Address already in use)");
            assertThat(get(p.port(18080))).isEqualTo("kept\n");
        }
    }

    @Test
    void thePreviousConfigurationReportsExitedWithCodeZeroOnceItsRequestsFinish() throws Exception {
        try (TestPortico p = TestPortico.builder().conf(conf("old")).modules(BodyWaitingCheck.MODULE).start(); RawHttp slow = new RawHttp(p.port(18080))) {
            slow.send("POST /upload HTTP/1.1\r\nHost: x\r\n" + BodyWaitingCheck.HEADER + ": 1\r\nContent-Length: 10\r\n\r\nabc");
            Await.until(WAIT, "the slow request to be in flight", () -> p.server().snapshot().usage().inFlight() == 1);

            assertThat(p.reload(conf("new"))).isNull();
            assertThat(get(p.port(18080))).isEqualTo("new\n");
            assertThat(p.errorLog()).contains("reconfiguring", "start worker processes").doesNotContain("exited with code 0");

            RawHttp.Response r = slow.send("defghij").readResponse(false);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo("got 10 bytes\n");
            Await.until(WAIT, "\"exited with code 0\" in the error log", () -> p.errorLog().contains("exited with code 0"));
            assertThat(p.errorLog()).containsPattern("\\[notice\\] \\d+#\\d+: worker process \\d+ exited with code 0");
        }
    }

    @Test
    void anIdleServerReportsTheOldConfigurationExitedAtOnce() {
        try (TestPortico p = TestPortico.start(conf("a"))) {
            assertThat(p.reload(conf("b"))).isNull();
            assertThat(p.errorLog()).contains("exited with code 0");
        }
    }

    private static String get(int port) {
        try (RawHttp c = new RawHttp(port)) {
            return c.send("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").readResponse(false).bodyText();
        }
    }

    private static boolean connects(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return true;
        } catch (ConnectException e) {
            return false;
        } catch (IOException e) {
            return false;
        }
    }
}
