package dev.portico.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.config.directive.Settings;
import dev.portico.config.directive.Values;
import dev.portico.core.CoreModule;
import dev.portico.core.Snapshot;
import dev.portico.http.HttpConf;
import dev.portico.http.HttpModule;
import dev.portico.testing.TestPortico;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** nginx's value syntaxes: sizes, times, flags, numbers, and how directives read them. */
class ValueTypesTest {

    @ParameterizedTest(name = "{0} = {1} bytes")
    @CsvSource({
        "0, 0", "512, 512", "10k, 10240", "10K, 10240", "8m, 8388608", "8M, 8388608", "1g, 1073741824", "1G, 1073741824",
    })
    void sizes(String text, long bytes) {
        assertThat(Values.parseSize(text)).isEqualTo(bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "k", "1.5m", "-1", "10kb", "1t", "ten", "1 k"})
    void invalidSizes(String text) {
        assertThat(Values.parseSize(text)).isEqualTo(-1);
    }

    @ParameterizedTest(name = "{0} = {1} ms")
    @CsvSource({
        "500ms, 500", "30s, 30000", "30, 30000", "5m, 300000", "1h, 3600000", "1d, 86400000", "1w, 604800000",
        "1h 30m, 5400000", "1h30m, 5400000", "1d 2h 3m 4s 5ms, 93784005", "2M, 5184000000", "1y, 31536000000", "0, 0",
    })
    void times(String text, long millis) {
        assertThat(Values.parseTime(text, true)).isEqualTo(millis);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "ms", "5x", "1.5s", "-1s", "30m 1h", "1s 1s", "5 m", "1h 30m x"})
    void invalidTimes(String text) {
        assertThat(Values.parseTime(text, true)).isEqualTo(-1);
    }

    @Test
    void secondsDoNotTakeMilliseconds() {
        assertThat(Values.parseTime("90", false)).isEqualTo(90);
        assertThat(Values.parseTime("1m 30s", false)).isEqualTo(90);
        assertThat(Values.parseTime("500ms", false)).isEqualTo(-1);
    }

    private static Settings http(String directives) throws ConfigException {
        Snapshot s = TestPortico.load("events {}\nhttp {\n" + directives + "\n server { listen 127.0.0.1:18080; } }\n");
        return HttpConf.of(s).servers().get(0).settings();
    }

    @Test
    void directivesReadTheirValuesAsNginx() throws ConfigException {
        Settings s = http("keepalive_timeout \"1h 30m\"; client_max_body_size 8m; client_body_timeout 500ms; "
            + "send_timeout 2m; keepalive_requests 7; merge_slashes off; tcp_nodelay ON;");
        assertThat(s.get(HttpModule.KEEPALIVE_TIMEOUT)).isEqualTo(5_400_000L);
        assertThat(s.get(HttpModule.CLIENT_MAX_BODY_SIZE)).isEqualTo(8L * 1024 * 1024);
        assertThat(s.get(HttpModule.CLIENT_BODY_TIMEOUT)).isEqualTo(500L);
        assertThat(s.get(HttpModule.SEND_TIMEOUT)).isEqualTo(120_000L);
        assertThat(s.get(HttpModule.KEEPALIVE_REQUESTS)).isEqualTo(7);
        assertThat(s.get(HttpModule.MERGE_SLASHES)).isFalse();
        assertThat(s.get(HttpModule.TCP_NODELAY)).isTrue();
    }

    @Test
    void unsetDirectivesHaveNginxDefaults() throws ConfigException {
        Settings s = http("");
        assertThat(s.get(HttpModule.KEEPALIVE_TIMEOUT)).isEqualTo(75_000L);
        assertThat(s.get(HttpModule.CLIENT_MAX_BODY_SIZE)).isEqualTo(1024L * 1024);
        assertThat(s.get(HttpModule.CLIENT_HEADER_TIMEOUT)).isEqualTo(60_000L);
        assertThat(s.get(HttpModule.KEEPALIVE_REQUESTS)).isEqualTo(1000);
        assertThat(s.get(HttpModule.DEFAULT_TYPE)).isEqualTo("text/plain");
        Snapshot main = TestPortico.load("events {}\n");
        assertThat(main.main(CoreModule.DAEMON)).isTrue();
        assertThat(main.main(CoreModule.WORKER_PROCESSES)).isEqualTo(1);
        assertThat(main.main(CoreModule.WORKER_CONNECTIONS)).isEqualTo(512);
        assertThat(main.main(CoreModule.PID)).isEqualTo("logs/nginx.pid");
    }

    @Test
    void mainAndEventsDirectivesSetTheirValues() throws ConfigException {
        Snapshot s = TestPortico.load("daemon off;\nworker_processes auto;\npid run/p.pid;\nworker_shutdown_timeout 10s;\n"
            + "events { worker_connections 64; multi_accept on; accept_mutex off; use epoll; }\n"
            + "user www-data www-data; master_process on; worker_rlimit_nofile 1024; pcre_jit on; env TZ;\n");
        assertThat(s.main(CoreModule.DAEMON)).isFalse();
        assertThat(s.main(CoreModule.WORKER_PROCESSES)).isZero();
        assertThat(s.main(CoreModule.PID)).isEqualTo("run/p.pid");
        assertThat(s.main(CoreModule.WORKER_SHUTDOWN_TIMEOUT)).isEqualTo(10_000L);
        assertThat(s.main(CoreModule.WORKER_CONNECTIONS)).isEqualTo(64);
    }

    @Test
    void innerLevelsInheritAndOverride() throws ConfigException {
        Snapshot s = TestPortico.load("events {}\nhttp {\n client_max_body_size 2m;\n"
            + " server { listen 127.0.0.1:18080; location /a { client_max_body_size 5k; } location /b { } }\n"
            + " server { listen 127.0.0.1:18081; client_max_body_size 0; }\n}\n");
        Settings first = HttpConf.of(s).servers().get(0).settings();
        assertThat(first.get(HttpModule.CLIENT_MAX_BODY_SIZE)).isEqualTo(2L * 1024 * 1024);
        assertThat(HttpConf.of(s).servers().get(0).locations().find("/a/x").location().settings().get(HttpModule.CLIENT_MAX_BODY_SIZE))
            .isEqualTo(5L * 1024);
        assertThat(HttpConf.of(s).servers().get(0).locations().find("/b").location().settings().get(HttpModule.CLIENT_MAX_BODY_SIZE))
            .isEqualTo(2L * 1024 * 1024);
        assertThat(HttpConf.of(s).servers().get(1).settings().get(HttpModule.CLIENT_MAX_BODY_SIZE)).isZero();
    }
}
