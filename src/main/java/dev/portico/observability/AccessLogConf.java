package dev.portico.observability;

import dev.portico.config.ConfNode;
import dev.portico.config.ConfigException;
import dev.portico.core.BuildContext;
import dev.portico.core.Prefix;
import dev.portico.variables.Variables;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one configuration says about access logs, beyond the per-level lists: the formats by
 * name (with the predefined {@code combined}), the fixed files with their buffering, and the
 * default log ({@code logs/access.log combined}) for levels that have none.
 */
final class AccessLogConf {
    static final String DEFAULT_PATH = "logs/access.log";

    private final Prefix prefix;
    private final Map<String, LogFormat> formats = new HashMap<>();
    private final Map<Path, FileParams> files = new LinkedHashMap<>();
    private final List<AccessLog> defaults;
    private boolean httpLevelSet;

    private AccessLogConf(BuildContext build) {
        this.prefix = build.prefix();
        try {
            formats.put(LogFormat.COMBINED_NAME,
                LogFormat.compile(LogFormat.COMBINED_NAME, LogEscape.DEFAULT, List.of(LogFormat.COMBINED), Variables.of(build)));
        } catch (ConfigException e) {
            throw new IllegalStateException("the combined format does not compile: " + e.getMessage(), e);
        }
        defaults = List.of(new AccessLog(prefix.resolve(DEFAULT_PATH), null, formats.get(LogFormat.COMBINED_NAME), null));
    }

    /** The configuration's access log settings, made when its first log directive is read (or after reading). */
    static AccessLogConf of(BuildContext build) {
        return build.registry(AccessLogConf.class, () -> new AccessLogConf(build));
    }

    Prefix prefix() {
        return prefix;
    }

    /** {@code log_format}: "combined" is taken from the start, as every earlier name. */
    void define(ConfNode node, LogFormat format) throws ConfigException {
        if (formats.putIfAbsent(format.name(), format) != null) {
            throw node.error("duplicate \"log_format\" name \"" + format.name() + "\"");
        }
    }

    /** A format defined so far (nginx looks the name up when it reads {@code access_log}). */
    LogFormat format(String name) {
        return formats.get(name);
    }

    /**
     * Records a fixed file. nginx keeps one buffer per file, so the first {@code access_log} with
     * {@code buffer=} decides it for every log naming the file; a second buffered one must agree.
     */
    void file(ConfNode node, Path path, FileParams p) throws ConfigException {
        FileParams known = files.get(path);
        if (known == null || !known.buffered()) {
            files.put(path, p.buffered() || known == null ? p : known);
            return;
        }
        if (p.buffered() && !p.equals(known)) {
            throw node.error("access_log \"" + node.arg(0) + "\" already defined with conflicting parameters");
        }
    }

    void httpLevelSet() {
        httpLevelSet = true;
    }

    /** The logs of a level that has no {@code access_log} of its own, at any depth. */
    List<AccessLog> defaults() {
        return defaults;
    }

    /**
     * The fixed files the configuration writes, with their rules; the default file only when the
     * http block does not replace it (then every level inherits it, as nginx's merge does).
     */
    Map<Path, FileParams> files(boolean hasHttpServers) {
        Map<Path, FileParams> all = new LinkedHashMap<>(files);
        if (!httpLevelSet && hasHttpServers) {
            all.putIfAbsent(defaults.get(0).path(), FileParams.UNBUFFERED);
        }
        return Collections.unmodifiableMap(all);
    }

    /**
     * Opens (creating it and its directories) and closes each configured file, so that a path
     * that can not be written fails the start or the reload as nginx's open() does.
     */
    void checkFiles() throws ConfigException {
        for (Path p : files.keySet()) {
            try {
                if (p.getParent() != null) {
                    Files.createDirectories(p.getParent());
                }
                FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND).close();
            } catch (IOException e) {
                throw new ConfigException("open() \"" + p + "\" failed (" + Errno.of(e) + ")");
            }
        }
    }
}
