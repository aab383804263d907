package dev.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.portico.testing.PortMap;
import dev.portico.testing.TestPortico;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A real browser: headless Chromium loads a page through Portico whose script talks to the
 * websocket under /hub through Portico; the result is read back from the dumped DOM.
 * Skipped where Debian's chromium is not installed (.ci/run installs it).
 */
class BrowserWebSocketTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    private static final String PAGE = """
        <!DOCTYPE html>
        <html><body><div id="result">pending</div>
        <script>
        const got = [];
        const ws = new WebSocket('ws://' + location.host + '/hub');
        ws.onopen = () => ws.send('one');
        ws.onmessage = (m) => {
          got.push(m.data);
          if (got.length === 1) { ws.send('two'); }
          else { document.getElementById('result').textContent = 'ok:' + got.join(','); ws.close(1000); }
        };
        ws.onerror = () => { document.getElementById('result').textContent = 'error'; };
        // virtual time stands still while a fetch is pending: slow fetches give the websocket real time
        let waits = 0;
        const hold = () => {
          if (document.getElementById('result').textContent === 'pending' && waits++ < 10) {
            fetch('/slow').then(hold, hold);
          }
        };
        hold();
        </script></body></html>
        """;

    @Test
    void aPageInHeadlessChromiumExchangesWebsocketMessagesThroughPortico() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM), "no browser test: /usr/bin/chromium is not installed (apt-get install chromium)");
        PortMap ports = new PortMap();
        String conf = """
            events {}
            http {
                map $http_upgrade $connection_upgrade { default upgrade; '' close; }
                server {
                    listen 127.0.0.1:8080;
                    location / { root html; }
                    location /slow { proxy_pass http://127.0.0.1:17083; }
                    location /hub {
                        proxy_pass http://127.0.0.1:17082;
                        proxy_http_version 1.1;
                        proxy_set_header Upgrade $http_upgrade;
                        proxy_set_header Connection $connection_upgrade;
                    }
                }
            }
            """;
        Path profile = Files.createTempDirectory("portico-chromium");
        try (WsEchoServer backend = new WsEchoServer(ports.get(17082), "one");
             Backend slow = Backend.on(ports, 17083, ex -> {
                 Thread.sleep(500);
                 ex.send(200, "waited");
             });
             TestPortico p = TestPortico.builder().ports(ports).conf(conf).file("html/index.html", PAGE).start()) {
            Process chromium = new ProcessBuilder(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-quic", "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--virtual-time-budget=10000",
                "--dump-dom", "http://127.0.0.1:" + p.port(8080) + "/index.html"))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            byte[] out = chromium.getInputStream().readAllBytes();
            assertThat(chromium.waitFor(60, TimeUnit.SECONDS)).as("chromium finished").isTrue();
            String dom = new String(out, StandardCharsets.UTF_8);
            assertThat(dom).contains("<div id=\"result\">ok:one,two</div>");
        } finally {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
