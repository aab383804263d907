package dev.portico.lifecycle;

import dev.portico.core.Snapshot;
import dev.portico.observability.Errno;
import dev.portico.observability.ErrorLog;
import dev.portico.observability.ErrorLogSpec;
import dev.portico.observability.HttpLogModule;
import dev.portico.observability.LogLevel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Points the error log at what the main context's {@code error_log} says. Without one, nginx
 * (1.19.5+) uses the {@code -e} file, else {@code logs/error.log}, at level error.
 */
public final class Logs {
    private static volatile String defaultTarget = "logs/error.log";

    private Logs() {
    }

    /** {@code -e file|stderr}: the main error log when the configuration names none. */
    public static void defaultTarget(String target) {
        defaultTarget = target;
    }

    public static void configure(Snapshot s) throws StartupException {
        List<Path> paths = new ArrayList<>();
        List<LogLevel> levels = new ArrayList<>();
        for (ErrorLogSpec spec : errorLogs(s)) {
            paths.add(spec.isStderr() ? null : s.prefix().resolve(spec.target()));
            levels.add(spec.level());
        }
        try {
            ErrorLog.use(paths, levels, ErrorLog.get().programName());
        } catch (ErrorLog.OpenException e) {
            throw new StartupException("open() \"" + e.path() + "\" failed (" + Errno.of(e.getCause()) + ")");
        } catch (IOException e) {
            throw new StartupException("open() failed (" + Errno.of(e) + ")");
        }
    }

    static List<ErrorLogSpec> errorLogs(Snapshot s) {
        List<ErrorLogSpec> l = s.main(HttpLogModule.ERROR_LOG);
        return l == null ? List.of(new ErrorLogSpec(defaultTarget, LogLevel.ERROR)) : l;
    }
}
