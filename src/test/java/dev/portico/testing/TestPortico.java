package dev.portico.testing;

import dev.portico.config.ConfigException;
import dev.portico.core.Prefix;
import dev.portico.core.Snapshot;
import dev.portico.lifecycle.Logs;
import dev.portico.lifecycle.ModuleList;
import dev.portico.lifecycle.PorticoServer;
import dev.portico.lifecycle.SnapshotBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Portico started in-process from nginx.conf text in a temporary prefix. Ports written in the
 * text are replaced by free ones ({@link PortMap}); {@link #port(int)} tells which.
 *
 * <pre>
 * try (TestPortico p = TestPortico.start("events {} http { server { listen 8080; return 200 ok; } }")) {
 *     HttpResponse&lt;String&gt; r = client.send(HttpRequest.newBuilder(p.uri(8080, "/")).build(), ofString());
 * }
 * </pre>
 */
public final class TestPortico implements AutoCloseable {
    private final Path prefix;
    private final PortMap ports;
    private final PorticoServer server;

    private TestPortico(Path prefix, PortMap ports, PorticoServer server) {
        this.prefix = prefix;
        this.ports = ports;
        this.server = server;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts with the given main configuration (file conf/nginx.conf). */
    public static TestPortico start(String conf) {
        return builder().conf(conf).start();
    }

    /** Builds a configuration the way the running server does, for config-tier tests. */
    public static Snapshot load(String conf) throws ConfigException {
        return builder().conf(conf).load();
    }

    public static final class Builder {
        private String conf = "events {}\nhttp {}\n";
        private final Map<String, byte[]> files = new LinkedHashMap<>();
        private PortMap ports = new PortMap();
        private Path prefix;
        private final java.util.List<dev.portico.core.Module> modules = new java.util.ArrayList<>();
        private dev.portico.core.Clock clock = dev.portico.core.Clock.SYSTEM;

        /** Modules after the standard ones (probes that hold, observe or answer requests). */
        public Builder modules(dev.portico.core.Module... more) {
            modules.addAll(java.util.List.of(more));
            return this;
        }

        /** The clock the server's run-time state reads (a {@link FakeClock} in tests of expiry). */
        public Builder clock(dev.portico.core.Clock c) {
            this.clock = c;
            return this;
        }

        private Snapshot build(Prefix p) throws ConfigException {
            return SnapshotBuilder.build(p, null, ModuleList.standardWith(modules), new dev.portico.core.ServerState(clock));
        }

        /** The main file's text ("daemon off;" is not needed in-process). */
        public Builder conf(String text) {
            this.conf = text;
            return this;
        }

        /** Another file under the prefix, e.g. {@code conf/conf.d/site.conf} or {@code html/index.html}. */
        public Builder file(String relative, String text) {
            files.put(relative, text.getBytes(StandardCharsets.UTF_8));
            return this;
        }

        public Builder file(String relative, byte[] content) {
            files.put(relative, content);
            return this;
        }

        /** Shares a port map, so that backends started before can be written in the text. */
        public Builder ports(PortMap map) {
            this.ports = map;
            return this;
        }

        public Builder prefix(Path dir) {
            this.prefix = dir;
            return this;
        }

        public PortMap ports() {
            return ports;
        }

        private Prefix write() {
            try {
                Path dir = prefix != null ? prefix : Files.createTempDirectory("portico-test");
                Files.createDirectories(dir.resolve("conf"));
                Files.createDirectories(dir.resolve("logs"));
                Files.writeString(dir.resolve("conf/nginx.conf"), ports.rewrite(conf));
                for (Map.Entry<String, byte[]> e : files.entrySet()) {
                    Path p = dir.resolve(e.getKey());
                    Files.createDirectories(p.getParent());
                    if (e.getKey().endsWith(".conf")) {
                        Files.writeString(p, ports.rewrite(new String(e.getValue(), StandardCharsets.UTF_8)));
                    } else {
                        Files.write(p, e.getValue());
                    }
                }
                return new Prefix(dir, Path.of("conf/nginx.conf"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        public Snapshot load() throws ConfigException {
            return build(write());
        }

        public TestPortico start() {
            Prefix p = write();
            try {
                Snapshot s = build(p);
                Logs.configure(s);
                PorticoServer server = PorticoServer.start(s, null, ProcessHandle.current().pid());
                return new TestPortico(p.prefix(), ports, server);
            } catch (Exception e) {
                throw new IllegalStateException("Portico did not start: " + e.getMessage(), e);
            }
        }
    }

    public int port(int original) {
        return ports.get(original);
    }

    public URI uri(int originalPort, String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + port(originalPort) + pathAndQuery);
    }

    public Path prefix() {
        return prefix;
    }

    public PorticoServer server() {
        return server;
    }

    public PortMap portMap() {
        return ports;
    }

    /** Replaces conf/nginx.conf (ports rewritten) and reloads; returns the error or null. */
    public String reload(String newConf) {
        try {
            Files.writeString(prefix.resolve("conf/nginx.conf"), ports.rewrite(newConf));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return server.reload();
    }

    /** Writes another file under the prefix (ports rewritten in .conf files). */
    public void writeFile(String relative, String text) {
        try {
            Path p = prefix.resolve(relative);
            Files.createDirectories(p.getParent());
            Files.writeString(p, relative.endsWith(".conf") ? ports.rewrite(text) : text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String readFile(String relative) {
        try {
            Path p = prefix.resolve(relative);
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String errorLog() {
        return readFile("logs/error.log");
    }

    @Override
    public void close() {
        server.stopFast();
    }
}
