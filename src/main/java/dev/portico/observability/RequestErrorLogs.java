package dev.portico.observability;

import dev.portico.core.Prefix;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The error logs that {@code error_log} in http, server and location blocks define for one
 * snapshot, made on first use by a request. Files are the server's, shared by path across its
 * snapshots, and stay open until it stops; {@link Files#reopenAll()} serves log rotation.
 */
final class RequestErrorLogs {
    /** The open files of one server, by path. */
    static final class Files {
        private final Map<Path, ErrorLogFile> open = new ConcurrentHashMap<>();

        static Files of(dev.portico.core.ServerState server) {
            return server.part(Files.class, Files::new);
        }

        /** SIGUSR1: files that are open get re-opened, so that the next line lands in a new file. */
        void reopenAll() {
            for (ErrorLogFile f : open.values()) {
                f.reopenIfOpen();
            }
        }

        void closeAll() {
            for (ErrorLogFile f : open.values()) {
                f.close();
            }
        }
    }

    private final Prefix prefix;
    private final Files files;
    private final Map<List<ErrorLogSpec>, ErrorLog> logs = new ConcurrentHashMap<>();

    RequestErrorLogs(Prefix prefix, Files files) {
        this.prefix = prefix;
        this.files = files;
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
            files.add(spec.isStderr() ? null : this.files.open.computeIfAbsent(prefix.resolve(spec.target()), ErrorLogFile::new));
            levels.add(spec.level());
        }
        return ErrorLog.over(files, levels, programName);
    }
}
