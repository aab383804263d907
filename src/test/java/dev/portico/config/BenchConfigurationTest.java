package dev.portico.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.portico.core.Snapshot;
import dev.portico.http.HttpConf;
import dev.portico.testing.TestPortico;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The benchmark's proxy configuration (../shared/bench/conf/proxy-nginx.conf), rendered as its
 * harness renders it for the scenarios Portico runs (plain HTTP and websockets), loads unchanged.
 */
class BenchConfigurationTest {
    private static final Path TEMPLATE = Path.of(System.getProperty("user.dir")).resolve("../shared/bench/conf/proxy-nginx.conf");

    @Test
    void theBenchmarkConfigurationLoads() throws Exception {
        assumeTrue(Files.exists(TEMPLATE), "no ../shared/bench beside the project");
        String text = render(Files.readString(TEMPLATE), "ws");
        Snapshot s = TestPortico.load(text);
        assertThat(HttpConf.of(s).servers()).hasSize(1);
    }

    /** Keeps "#@if" blocks that name a wanted feature, drops the others, fills in the tokens. */
    static String render(String template, String wanted) {
        StringBuilder out = new StringBuilder();
        boolean keep = true;
        for (String line : template.split("\n", -1)) {
            String t = line.trim();
            if (t.startsWith("#@if")) {
                keep = java.util.Arrays.asList(t.substring(4).trim().split("\\s+")).contains(wanted);
                continue;
            }
            if (t.startsWith("#@endif")) {
                keep = true;
                continue;
            }
            if (keep) {
                out.append(line).append('\n');
            }
        }
        return out.toString().replace("@@WORKERS@@", "1").replace("@@BACKEND_PORT@@", "18080")
            .replace("@@WS_BACKEND_PORT@@", "18090").replace("@@HTTP_PORT@@", "18000");
    }
}
