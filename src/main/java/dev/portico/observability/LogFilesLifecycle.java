package dev.portico.observability;

import dev.portico.core.ServerState;
import dev.portico.core.Snapshot;
import dev.portico.http.HttpConf;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Log files across the server's life: a snapshot going live opens its access log files (those
 * already open for the previous snapshot stay as they are), SIGUSR1 re-opens them, stop writes
 * out the buffers and closes.
 */
final class LogFilesLifecycle {

    void activate(Snapshot next, Snapshot previous, ServerState server) {
        Map<Path, FileParams> files = files(next);
        Set<Path> keep = new HashSet<>(files.keySet());
        if (previous != null) {
            // requests still running on the previous configuration keep writing to its files
            keep.addAll(files(previous).keySet());
        }
        AccessLogWriter.of(server).configure(files, keep);
    }

    private static Map<Path, FileParams> files(Snapshot s) {
        AccessLogConf conf = s.build().registry(AccessLogConf.class);
        return conf == null ? Map.of() : conf.files(!HttpConf.of(s).servers().isEmpty());
    }

    void reopen(ServerState server) {
        AccessLogWriter.of(server).reopen();
        RequestErrorLogs.Files.of(server).reopenAll();
    }

    void stopped(ServerState server) {
        AccessLogWriter.of(server).stop();
        RequestErrorLogs.Files.of(server).closeAll();
    }
}
