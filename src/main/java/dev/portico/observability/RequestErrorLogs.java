package dev.portico.observability;

import dev.portico.core.Prefix;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The error logs that {@code error_log} in http, server and location blocks define for one
 * snapshot, made on first use by a request. Files are shared by path across snapshots and
 * stay open until the server stops; {@link #reopenAll()} serves log rotation.
 */
final class RequestErrorLogs {
    private static final Map<Path, ErrorLogFile> FILES = new ConcurrentHashMap<>();

    private final Prefix prefix;
    private final Map<List<ErrorLogSpec>, ErrorLog> logs = new ConcurrentHashMap<>();

    RequestErrorLogs(Prefix prefix) {
        this.prefix = prefix;
    }

    ErrorLog forSpecs(List<ErrorLogSpec> specs, String programName) {
        ErrorLog log = logs.get(specs);
        if (log == null) {
            log = logs.computeIfAbsent(specs, s -> build(s, programName));
        }
        return log;
    }

    private ErrorLog build(List<ErrorLogSpec> specs, String programName) {
        List<ErrorLogFile> files = new ArrayList<>();
        List<LogLevel> levels = new ArrayList<>();
        for (ErrorLogSpec spec : specs) {
            files.add(spec.isStderr() ? null : FILES.computeIfAbsent(prefix.resolve(spec.target()), ErrorLogFile::new));
            levels.add(spec.level());
        }
        return ErrorLog.over(files, levels, programName);
    }

    /** SIGUSR1: files that are open get re-opened, so that the next line lands in a new file. */
    static void reopenAll() {
        for (ErrorLogFile f : FILES.values()) {
            f.reopenIfOpen();
        }
    }

    static void closeAll() {
        for (ErrorLogFile f : FILES.values()) {
            f.close();
        }
    }
}
