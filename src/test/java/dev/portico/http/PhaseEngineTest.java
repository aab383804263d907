package dev.portico.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.core.Snapshot;
import dev.portico.testing.ProbeModule;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The phase engine: handlers run phase by phase in module order, only where they apply; a
 * handler can suspend a request and resume it; the access phase follows {@code satisfy}.
 * Probe modules stand in for the access modules that later issues add. Files are asked for by
 * name: the index module's internal redirect would run the phases a second time, as in nginx.
 */
class PhaseEngineTest {
    private static final String FILES = "events {}\nhttp {\n server { listen 127.0.0.1:8080; root html;\n"
        + "  location / { }\n  location /any/ { satisfy any; }\n }\n}\n";

    private static TestPortico.Builder portico(ProbeModule... probes) {
        return TestPortico.builder().conf(FILES).file("html/index.html", "root page\n").file("html/any/index.html", "any page\n")
            .modules(probes).clock(new dev.portico.testing.FakeClock());
    }

    /** A handler that records its name and goes on. */
    private static ProbeModule recording(List<String> seen, Phase phase, String name) {
        return ProbeModule.handler(phase, ex -> {
            seen.add(name);
            return PhaseHandler.DECLINED;
        });
    }

    @Test
    void handlersRunPhaseByPhaseInModuleOrder() {
        List<String> seen = new CopyOnWriteArrayList<>();
        // given out of phase order on purpose: the phase decides, then the module order
        try (TestPortico p = portico(recording(seen, Phase.PRECONTENT, "precontent"), recording(seen, Phase.ACCESS, "access-1"),
                 recording(seen, Phase.PREACCESS, "preaccess"), recording(seen, Phase.ACCESS, "access-2")).start();
             RawHttp c = new RawHttp(p.port(8080))) {
            RawHttp.Response r = c.send("GET /index.html HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo("root page\n");
            assertThat(seen).containsExactly("preaccess", "access-1", "access-2", "precontent");
        }
    }

    @Test
    void anOkInAGenericPhaseSkipsTheRestOfThatPhase() {
        List<String> seen = new CopyOnWriteArrayList<>();
        ProbeModule ok = ProbeModule.handler(Phase.PREACCESS, ex -> {
            seen.add("preaccess-ok");
            return PhaseHandler.OK;
        });
        try (TestPortico p = portico(ok, recording(seen, Phase.PREACCESS, "preaccess-2"), recording(seen, Phase.ACCESS, "access"))
                 .start();
             RawHttp c = new RawHttp(p.port(8080))) {
            assertThat(c.send("GET /index.html HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false).status()).isEqualTo(200);
            assertThat(seen).containsExactly("preaccess-ok", "access");
        }
    }

    @Test
    void aStatusFromAHandlerAnswersTheRequest() {
        ProbeModule teapot = ProbeModule.handler(Phase.PRECONTENT, ex -> 429);
        try (TestPortico p = portico(teapot).start(); RawHttp c = new RawHttp(p.port(8080))) {
            assertThat(c.send("GET /index.html HTTP/1.1\r\nHost: a\r\n\r\n").readResponse(false).status()).isEqualTo(429);
        }
    }

    @Test
    void aSuspendedRequestWaitsAndResumesWhereItStopped() throws Exception {
        BlockingQueue<Exchange> held = new LinkedBlockingQueue<>();
        List<String> seen = new CopyOnWriteArrayList<>();
        ProbeModule holding = ProbeModule.handler(Phase.ACCESS, ex -> {
            seen.add("hold");
            held.add(ex);
            return PhaseHandler.AGAIN;
        });
        try (TestPortico p = portico(holding, recording(seen, Phase.ACCESS, "after")).start();
             RawHttp c = new RawHttp(p.port(8080))) {
            c.send("GET /index.html HTTP/1.1\r\nHost: a\r\n\r\n");
            Exchange ex = held.poll(10, TimeUnit.SECONDS);
            assertThat(ex).isNotNull();
            assertThat(c.closedByServer(200)).as("nothing answered while suspended").isFalse();
            assertThat(seen).containsExactly("hold");
            ex.eventLoop().execute(() -> RequestProcessor.resume(ex, PhaseHandler.OK));
            RawHttp.Response r = c.readResponse(false);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo("root page\n");
            assertThat(seen).containsExactly("hold", "after");
        }
    }

    @Test
    void aSuspendedRequestCanResumeWithADenial() throws Exception {
        BlockingQueue<Exchange> held = new LinkedBlockingQueue<>();
        ProbeModule holding = ProbeModule.handler(Phase.ACCESS, ex -> {
            held.add(ex);
            return PhaseHandler.AGAIN;
        });
        try (TestPortico p = portico(holding).start(); RawHttp c = new RawHttp(p.port(8080))) {
            c.send("GET /index.html HTTP/1.1\r\nHost: a\r\n\r\n");
            Exchange ex = held.poll(10, TimeUnit.SECONDS);
            ex.eventLoop().execute(() -> RequestProcessor.resume(ex, 403));
            assertThat(c.readResponse(false).status()).isEqualTo(403);
            // the connection stays usable
            c.send("GET /nothing-held HTTP/1.1\r\nHost: a\r\n\r\n");
            Exchange second = held.poll(10, TimeUnit.SECONDS);
            second.eventLoop().execute(() -> RequestProcessor.resume(second, PhaseHandler.OK));
            assertThat(c.readResponse(false).status()).isEqualTo(404);
        }
    }

    /** An access handler that answers what the request's X-Verdict-N header says: ok, declined, or a status. */
    private static ProbeModule verdict(int n) {
        return ProbeModule.handler(Phase.ACCESS, ex -> {
            String v = ex.requestHeaders().get("X-Verdict-" + n);
            return v == null || v.equals("declined") ? PhaseHandler.DECLINED : v.equals("ok") ? PhaseHandler.OK : Integer.parseInt(v);
        });
    }

    static Stream<Arguments> verdicts() {
        return Stream.of(
            Arguments.of("all", "ok", "ok", 200),
            Arguments.of("all", "403", "ok", 403),
            Arguments.of("all", "ok", "401", 401),
            Arguments.of("all", "declined", "declined", 200),
            Arguments.of("any", "403", "ok", 200),
            Arguments.of("any", "ok", "403", 200),
            Arguments.of("any", "403", "403", 403),
            Arguments.of("any", "403", "401", 401),
            Arguments.of("any", "401", "403", 401),
            Arguments.of("any", "403", "declined", 403),
            Arguments.of("any", "declined", "declined", 200),
            // only denials are weighed: another status answers at once, as in nginx
            Arguments.of("any", "503", "ok", 503));
    }

    @ParameterizedTest(name = "satisfy {0}: {1} then {2} gives {3}")
    @MethodSource("verdicts")
    void satisfyWeighsTheAccessModules(String satisfy, String first, String second, int status) {
        try (TestPortico p = portico(verdict(1), verdict(2)).conf("error_log logs/error.log error;\n" + FILES).start();
             RawHttp c = new RawHttp(p.port(8080))) {
            String path = satisfy.equals("any") ? "/any/index.html" : "/index.html";
            RawHttp.Response r = c.send("GET " + path + " HTTP/1.1\r\nHost: a\r\nX-Verdict-1: " + first + "\r\nX-Verdict-2: "
                + second + "\r\n\r\n").readResponse(false);
            assertThat(r.status()).isEqualTo(status);
            if (satisfy.equals("any") && status == 403) {
                assertThat(p.errorLog()).contains("access forbidden by rule");
            }
        }
    }

    @Test
    void aLocationHoldsOnlyTheHandlersItsDirectivesAskFor() throws Exception {
        Snapshot s = TestPortico.load("events {}\nhttp {\n server { listen 127.0.0.1:8080;\n"
            + "  location /plain/ { }\n  location /files/ { try_files $uri =404; }\n }\n}\n");
        VirtualServer server = HttpConf.of(s).servers().get(0);
        Location plain = server.locations().find("/plain/x").location();
        Location files = server.locations().find("/files/x").location();
        assertThat(plain.handlers(Phase.PRECONTENT)).isEmpty();
        assertThat(files.handlers(Phase.PRECONTENT)).hasSize(1);
        assertThat(files.handlers(Phase.ACCESS)).isEmpty();
    }

    @Test
    void satisfyTakesAllOrAny() {
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> TestPortico.load(
            "events {}\nhttp { satisfy some; }\n"))).hasMessageContaining("invalid value \"some\" in ");
    }
}
