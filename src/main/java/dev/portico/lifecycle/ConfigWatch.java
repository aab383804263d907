package dev.portico.lifecycle;

import dev.portico.config.ConfigException;
import dev.portico.config.ConfigParser;
import dev.portico.config.ConfigSource;
import dev.portico.core.Prefix;
import dev.portico.observability.ErrorLog;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code PORTICO_WATCH_CONFIG=on}: reloads when the configuration files change on disk, as
 * {@code -s reload} would (a configuration that does not load is logged and the running one
 * stays). Directories are watched, not files: editors replace a file by renaming another over it,
 * and Kubernetes updates a ConfigMap volume by swapping its {@code ..data} symlink, so the event
 * is about a directory entry. Once events stop for a settle period, the files are read again the
 * way the parser reads them (includes too); only text that differs from both the running
 * configuration and the last attempt is reloaded, so the server's own files in a watched
 * directory (a log, the pid file) cause no reload, and a broken file is tried once, not in a loop.
 */
public final class ConfigWatch implements AutoCloseable {
    /** The environment variable that turns the watch on. */
    public static final String ENV = "PORTICO_WATCH_CONFIG";
    /** Quiet time after the last event before the files are read: an editor's save is several events. */
    static final Duration SETTLE = Duration.ofMillis(300);

    private final PorticoServer server;
    private final Duration settle;
    private final WatchService service;
    private final Map<WatchKey, Path> keys = new HashMap<>();
    private final AtomicInteger checks = new AtomicInteger();
    private final Thread thread;
    private List<ConfigSource> lastAttempt;

    private ConfigWatch(PorticoServer server, Duration settle) throws IOException {
        this.server = server;
        this.settle = settle;
        this.service = server.snapshot().prefix().confFile().getFileSystem().newWatchService();
        this.lastAttempt = server.snapshot().sources();
        watchDirectories(server.snapshot().prefix(), lastAttempt);
        this.thread = new Thread(this::run, "portico-config-watch");
        thread.setDaemon(true);
    }

    /** Starts watching the running configuration's files; events before this returns are not missed. */
    public static ConfigWatch start(PorticoServer server, Duration settle) throws IOException {
        ConfigWatch w = new ConfigWatch(server, settle);
        w.thread.start();
        return w;
    }

    /**
     * Starts the watch if {@code value} (the environment variable's) says {@code on} (or
     * {@code 1}, {@code true}, {@code yes}); returns null when it is off, unset or not understood.
     */
    public static ConfigWatch startIfAsked(String value, PorticoServer server) {
        if (value == null || value.isEmpty() || List.of("off", "0", "false", "no").contains(value)) {
            return null;
        }
        if (!List.of("on", "1", "true", "yes").contains(value)) {
            ErrorLog.warn("invalid " + ENV + " value \"" + value + "\" (on or off): configuration files are not watched");
            return null;
        }
        try {
            ConfigWatch w = start(server, SETTLE);
            ErrorLog.notice("watching the configuration files for changes (" + ENV + ")");
            return w;
        } catch (IOException e) {
            ErrorLog.alert("cannot watch the configuration files: " + e.getMessage());
            return null;
        }
    }

    /** How many times the files were read after events (tests await it). */
    int checks() {
        return checks.get();
    }

    @Override
    public void close() {
        thread.interrupt();
        try {
            service.close();
        } catch (IOException e) {
            // nothing is left to release
        }
    }

    private void run() {
        try {
            while (!server.isStopped()) {
                WatchKey key = service.poll(1, TimeUnit.SECONDS);
                if (key == null) {
                    continue;
                }
                // until events pause (a log file in a watched directory may never pause: at most 10 periods)
                long deadline = System.nanoTime() + settle.toNanos() * 10;
                do {
                    consume(key);
                    key = service.poll(settle.toMillis(), TimeUnit.MILLISECONDS);
                } while (key != null && System.nanoTime() < deadline);
                if (key != null) {
                    consume(key);
                }
                check();
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closed: the server stopped
        } catch (RuntimeException e) {
            ErrorLog.alert("configuration watch ended: " + e);
        }
    }

    private void consume(WatchKey key) {
        key.pollEvents();
        if (!key.reset()) {
            // the directory went (a Kubernetes timestamped directory, say); watched again if it comes back
            keys.remove(key);
        }
    }

    private void check() {
        Prefix prefix = server.snapshot().prefix();
        List<ConfigSource> now = read(prefix);
        List<ConfigSource> running = server.snapshot().sources();
        if (!now.equals(running) && !now.equals(lastAttempt)) {
            lastAttempt = now;
            ErrorLog.notice("configuration file " + changed(prefix, running, now) + " changed, reconfiguring");
            if (server.reload() != null) {
                ErrorLog.notice("the changed configuration was not loaded, the running one stays");
            }
        }
        watchDirectories(prefix, server.snapshot().sources());
        checks.incrementAndGet();
    }

    /** The files as the parser reads them now; without the main file, an empty list. */
    private static List<ConfigSource> read(Prefix prefix) {
        ConfigParser parser = new ConfigParser(prefix.confDir());
        try {
            parser.read(prefix.confFile());
        } catch (ConfigException e) {
            // an include that cannot be opened ends the read like this too: the sources so far differ
        }
        return List.copyOf(parser.sources());
    }

    /** The first file read now whose text is new, else the first one no longer read, else the main file. */
    private static Path changed(Prefix prefix, List<ConfigSource> before, List<ConfigSource> after) {
        for (ConfigSource s : after) {
            if (!before.contains(s)) {
                return s.path();
            }
        }
        for (ConfigSource s : before) {
            if (!after.contains(s)) {
                return s.path();
            }
        }
        return prefix.confFile();
    }

    /**
     * The main file's directory and its subdirectories (where an include pattern may find its first
     * file), and the directory of every file read, both where its name is and where it resolves.
     */
    private void watchDirectories(Prefix prefix, List<ConfigSource> sources) {
        Set<Path> dirs = new LinkedHashSet<>();
        dirs.add(prefix.confDir());
        try (DirectoryStream<Path> sub = Files.newDirectoryStream(prefix.confDir(), Files::isDirectory)) {
            for (Path d : sub) {
                dirs.add(d);
            }
        } catch (IOException e) {
            // the directory itself may be gone for a moment; the next event looks again
        }
        for (ConfigSource s : sources) {
            dirs.add(s.path().getParent());
            try {
                dirs.add(s.path().toRealPath().getParent());
            } catch (IOException e) {
                // gone since it was read
            }
        }
        for (Path d : dirs) {
            if (d != null && !keys.containsValue(d)) {
                try {
                    keys.put(d.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
                        StandardWatchEventKinds.ENTRY_MODIFY), d);
                } catch (IOException e) {
                    // not a directory (any more), or not readable: nothing there to watch
                }
            }
        }
    }
}
