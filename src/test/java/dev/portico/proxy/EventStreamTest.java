package dev.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.PortMap;
import dev.portico.testing.TestPortico;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Server-sent events through the proxy: each event arrives when sent, and idle streams live as long as proxy_read_timeout allows. */
class EventStreamTest {
    private static String conf(String location) {
        return "events {}\nhttp {\n server { listen 127.0.0.1:8080;\n location / { proxy_pass http://127.0.0.1:17081; "
            + location + " }\n }\n}\n";
    }

    private static String event(String data) {
        String e = "data: " + data + "\n\n";
        return Integer.toHexString(e.length()) + "\r\n" + e + "\r\n";
    }

    @ParameterizedTest
    @ValueSource(strings = {"proxy_buffering off;", "X-Accel-Buffering: no"})
    void eachEventReachesTheClientWithinMillisecondsOfBeingSent(String how) throws Exception {
        PortMap ports = new PortMap();
        boolean header = how.startsWith("X-");
        int events = 20;
        try (Backend b = Backend.on(ports, 17081, ex -> {
                ex.raw("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n"
                    + (header ? how + "\r\n" : "") + "\r\n");
                for (int i = 0; i < events; i++) {
                    Thread.sleep(30);
                    // the send time travels in the event: backend and client share this JVM's clock
                    ex.raw(event(Long.toString(System.nanoTime())));
                }
                ex.raw("0\r\n\r\n");
            });
             TestPortico p = TestPortico.builder().ports(ports).conf(conf(header ? "" : how)).start()) {
            HttpResponse<java.io.InputStream> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(p.uri(8080, "/events")).build(), HttpResponse.BodyHandlers.ofInputStream());
            List<Long> latencies = new ArrayList<>();
            try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.startsWith("data: ")) {
                        latencies.add((System.nanoTime() - Long.parseLong(line.substring(6))) / 1000);
                    }
                }
            }
            assertThat(latencies).hasSize(events);
            Collections.sort(latencies);
            long median = latencies.get(events / 2);
            long max = latencies.get(events - 1);
            // a buffering proxy would hold events for the whole stream (600 ms here)
            assertThat(median).as("median delivery latency in µs").isLessThan(50_000);
            assertThat(max).as("worst delivery latency in µs").isLessThan(250_000);
        }
    }

    @ParameterizedTest
    @CsvSource({"5s, true", "1s, false"})
    void anIdleStreamIsKeptWithinProxyReadTimeoutAndCutAfterIt(String readTimeout, boolean kept) throws Exception {
        PortMap ports = new PortMap();
        try (Backend b = Backend.on(ports, 17081, ex -> {
                ex.raw("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n");
                ex.raw(event("first"));
                Thread.sleep(2000);
                try {
                    ex.raw(event("after two idle seconds"));
                    ex.raw("0\r\n\r\n");
                } catch (java.io.IOException closedByTheProxy) {
                    // the proxy gave up on the stream
                }
            });
             TestPortico p = TestPortico.builder().ports(ports)
                 .conf(conf("proxy_buffering off; proxy_read_timeout " + readTimeout + ";")).start()) {
            HttpResponse<java.io.InputStream> r = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(p.uri(8080, "/events")).build(), HttpResponse.BodyHandlers.ofInputStream());
            List<String> data = new ArrayList<>();
            boolean cut = false;
            try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.startsWith("data: ")) {
                        data.add(line.substring(6));
                    }
                }
            } catch (java.io.IOException e) {
                cut = true;
            }
            if (kept) {
                assertThat(data).containsExactly("first", "after two idle seconds");
                assertThat(cut).isFalse();
            } else {
                assertThat(data).containsExactly("first");
                assertThat(cut).as("the client sees an incomplete response, not a clean end").isTrue();
                assertThat(p.errorLog()).contains("upstream timed out (110: Connection timed out) while reading upstream");
            }
        }
    }
}
