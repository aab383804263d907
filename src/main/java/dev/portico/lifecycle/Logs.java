package dev.portico.lifecycle;

import dev.portico.core.Snapshot;
import dev.portico.observability.ErrorLog;
import dev.portico.observability.ErrorLogSpec;
import dev.portico.observability.LogLevel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Points the error log at what the main context's {@code error_log} says (default {@code logs/error.log}, level error). */
public final class Logs {
    private Logs() {
    }

    public static void configure(Snapshot s) throws IOException {
        List<Path> paths = new ArrayList<>();
        List<LogLevel> levels = new ArrayList<>();
        for (ErrorLogSpec spec : PorticoServer.errorLogs(s)) {
            paths.add(spec.isStderr() ? null : s.prefix().resolve(spec.target()));
            levels.add(spec.level());
        }
        ErrorLog.use(paths, levels, ErrorLog.get().programName());
    }
}
