package dev.portico.lifecycle;

import static dev.portico.config.directive.Context.HTTP;
import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.config.directive.Arity;
import dev.portico.config.directive.Directive;
import dev.portico.core.BuildContext;
import dev.portico.core.Module;
import dev.portico.core.Zone;
import dev.portico.http.Exchange;
import dev.portico.http.Phase;
import dev.portico.http.PhaseHandler;
import dev.portico.http.RequestProcessor;
import dev.portico.testing.Await;
import dev.portico.testing.ProbeModule;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * State that outlives a configuration belongs to the running server: a zone declared again by a
 * reload is the same zone, one whose size or key changed is refused (the old configuration keeps
 * serving), one no longer declared goes away when the last request of its configuration ends.
 * A module with a {@code probe_zone name size key} directive stands in for limit_req and the cache.
 */
class ServerStateTest {
    /** What a probe zone holds: whether it was disposed of. */
    static final class Counter implements Zone.Disposable {
        volatile boolean disposed;

        @Override
        public void dispose() {
            disposed = true;
        }
    }

    private static final Zone.Kind<Counter> KIND = new Zone.Kind<>() {
        @Override
        public String name() {
            return "probe_zone";
        }

        @Override
        public Counter create(Zone.Spec spec) {
            return new Counter();
        }
    };

    static final class ZoneModule implements Module {
        @Override
        public List<Directive> directives() {
            return List.of(Directive.simple("probe_zone", EnumSet.of(HTTP), Arity.TAKE3, (level, node) -> {
                try {
                    level.nearest(BuildContext.class).zone(KIND,
                        new Zone.Spec("probe_zone", node.arg(0), Long.parseLong(node.arg(1)), node.arg(2)));
                } catch (dev.portico.config.ConfigException e) {
                    throw node.error(e.bareMessage());
                }
            }));
        }
    }

    private static final Duration WAIT = Duration.ofSeconds(10);
    private final BlockingQueue<Exchange> held = new LinkedBlockingQueue<>();
    private final ProbeModule holding = ProbeModule.handler(Phase.ACCESS, ex -> {
        if (!ex.requestHeaders().contains("X-Hold")) {
            return PhaseHandler.DECLINED;
        }
        held.add(ex);
        return PhaseHandler.AGAIN;
    });

    private static String conf(String zone) {
        return "events {}\nhttp {\n " + zone + "\n server { listen 127.0.0.1:8080; location / { return 200 ok; } location /held { } }\n}\n";
    }

    private TestPortico start(String zone) {
        // on a fake clock: nothing here may depend on time passing
        return TestPortico.builder().conf(conf(zone)).modules(new ZoneModule(), holding).clock(new dev.portico.testing.FakeClock()).start();
    }

    private static Zone<?> only(TestPortico p) {
        List<Zone<?>> zones = p.server().state().zones();
        assertThat(zones).hasSize(1);
        return zones.get(0);
    }

    @Test
    void aReloadThatDeclaresTheZoneAgainKeepsIt() {
        try (TestPortico p = start("probe_zone one 10 $a;")) {
            Zone<?> before = only(p);
            assertThat(p.reload(conf("probe_zone one 10 $a;"))).isNull();
            assertThat(only(p)).isSameAs(before);
            assertThat(((Counter) before.value()).disposed).isFalse();
        }
    }

    @Test
    void aChangedKeyIsRefusedAndTheRunningZoneStays() {
        try (TestPortico p = start("probe_zone one 10 $a;")) {
            Zone<?> before = only(p);
            assertThat(p.reload(conf("probe_zone one 10 $b;")))
                .contains("probe_zone \"one\" uses the \"$b\" key while previously it used the \"$a\" key in ")
                .contains(":3");
            assertThat(only(p)).isSameAs(before);
            assertThat(p.errorLog()).contains("[emerg]");
        }
    }

    @Test
    void aChangedSizeIsRefusedAndTheRunningZoneStays() {
        try (TestPortico p = start("probe_zone one 10 $a;")) {
            Zone<?> before = only(p);
            assertThat(p.reload(conf("probe_zone one 20 $a;")))
                .contains("the size 20 of shared memory zone \"one\" conflicts with already declared size 10");
            assertThat(only(p)).isSameAs(before);
        }
    }

    @Test
    void aZoneDeclaredTwiceInOneConfigurationIsRefused() {
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> TestPortico.builder()
            .conf(conf("probe_zone one 10 $a; probe_zone one 10 $a;")).modules(new ZoneModule()).load()))
            .hasMessageContaining("\"one\" is already bound to key \"$a\"");
    }

    @Test
    void aRemovedZoneGoesAwayWhenTheLastRequestOfItsConfigurationEnds() throws Exception {
        try (TestPortico p = start("probe_zone one 10 $a;"); RawHttp c = new RawHttp(p.port(8080))) {
            Counter counter = (Counter) only(p).value();
            c.send("GET /held HTTP/1.1\r\nHost: a\r\nX-Hold: 1\r\n\r\n");
            Exchange ex = held.poll(10, TimeUnit.SECONDS);
            assertThat(ex).isNotNull();

            assertThat(p.reload(conf(""))).isNull();
            assertThat(p.server().state().zones()).isEmpty();
            assertThat(counter.disposed).as("disposed while a request of its configuration runs").isFalse();

            ex.eventLoop().execute(() -> RequestProcessor.resume(ex, PhaseHandler.OK));
            assertThat(c.readResponse(false).status()).isEqualTo(404);
            Await.until(WAIT, "the zone to be disposed of", () -> counter.disposed);
        }
    }

    @Test
    void twoServersInOneJvmShareNothing() {
        try (TestPortico a = start("probe_zone one 10 $a;"); TestPortico b = start("probe_zone one 10 $a;")) {
            assertThat(only(a)).isNotSameAs(only(b));
            assertThat(dev.portico.upstream.PeerStates.of(a.server().state()))
                .isNotSameAs(dev.portico.upstream.PeerStates.of(b.server().state()));
        }
    }
}
