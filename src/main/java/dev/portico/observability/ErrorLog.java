package dev.portico.observability;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * The error log, in nginx's line layout: {@code 2026/11/26 17:00:00 [error] PID#TID: *CID message}.
 * One process-wide instance; the configuration decides its targets and level, {@link #reopen()}
 * re-opens files for log rotation. Lines are written whole with one write call each, so that
 * concurrent writers never interleave inside a line.
 */
public final class ErrorLog {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy/MM/dd HH:mm:ss");
    private static final long PID = ProcessHandle.current().pid();
    private static volatile ErrorLog current = new ErrorLog(List.of(new Target(null, LogLevel.NOTICE)), "portico");

    private final List<Target> targets;
    private final String programName;

    private ErrorLog(List<Target> targets, String programName) {
        this.targets = targets;
        this.programName = programName;
    }

    /** Where one spec writes; {@code path == null} is stderr. */
    private static final class Target {
        final Path path;
        final LogLevel level;
        OutputStream out;

        Target(Path path, LogLevel level) {
            this.path = path;
            this.level = level;
        }

        synchronized void open() throws IOException {
            if (path != null) {
                Files.createDirectories(path.getParent());
                OutputStream old = out;
                out = Files.newOutputStream(path, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
                if (old != null) {
                    old.close();
                }
            }
        }

        synchronized void write(byte[] line) {
            try {
                if (path == null) {
                    PrintStream err = System.err;
                    err.write(line);
                    err.flush();
                } else if (out != null) {
                    out.write(line);
                    out.flush();
                }
            } catch (IOException ignored) {
                // nowhere left to report a failing error log
            }
        }

        synchronized void close() {
            try {
                if (out != null) {
                    out.close();
                }
            } catch (IOException ignored) {
                // closing an old log file during reopen or reload
            }
        }
    }

    public static ErrorLog get() {
        return current;
    }

    /** Logs to stderr only, before any configuration is read ({@code -e stderr} or the default). */
    public static void useStderr(String programName, LogLevel level) {
        install(new ErrorLog(List.of(new Target(null, level)), programName));
    }

    /** Opens the given files (resolved paths, or null for stderr) and makes them the error log. */
    public static void use(List<Path> paths, List<LogLevel> levels, String programName) throws IOException {
        List<Target> ts = new ArrayList<>();
        for (int i = 0; i < paths.size(); i++) {
            Target t = new Target(paths.get(i), levels.get(i));
            try {
                t.open();
            } catch (IOException e) {
                for (Target opened : ts) {
                    opened.close();
                }
                throw new OpenException(paths.get(i), e);
            }
            ts.add(t);
        }
        install(new ErrorLog(ts, programName));
    }

    /** A log file that could not be opened, and why. */
    public static final class OpenException extends IOException {
        private final Path path;

        OpenException(Path path, IOException cause) {
            super("open() \"" + path + "\" failed", cause);
            this.path = path;
        }

        public Path path() {
            return path;
        }
    }

    /** True when a message at this level goes to standard error (then start-up messages need no second copy there). */
    public boolean writesToStderr(LogLevel level) {
        for (Target t : targets) {
            if (t.path == null && level.compareTo(t.level) >= 0) {
                return true;
            }
        }
        return false;
    }

    private static void install(ErrorLog log) {
        ErrorLog old = current;
        current = log;
        if (old != log) {
            for (Target t : old.targets) {
                t.close();
            }
        }
    }

    public String programName() {
        return programName;
    }

    /** Re-opens every file target (after logrotate renamed it). */
    public void reopen() {
        for (Target t : targets) {
            try {
                t.open();
            } catch (IOException e) {
                log(LogLevel.ALERT, 0, "reopen of \"" + t.path + "\" failed (" + e.getMessage() + ")");
            }
        }
    }

    public boolean enabled(LogLevel level) {
        for (Target t : targets) {
            if (level.compareTo(t.level) >= 0) {
                return true;
            }
        }
        return false;
    }

    /** Logs a message; {@code connectionId} 0 means none. */
    public void log(LogLevel level, long connectionId, String message) {
        if (!enabled(level)) {
            return;
        }
        StringBuilder b = new StringBuilder(64 + message.length());
        b.append(LocalDateTime.now().format(TIME)).append(" [").append(level.word()).append("] ")
            .append(PID).append('#').append(Thread.currentThread().getId()).append(": ");
        if (connectionId > 0) {
            b.append('*').append(connectionId).append(' ');
        }
        b.append(message).append('\n');
        byte[] line = b.toString().getBytes(StandardCharsets.UTF_8);
        for (Target t : targets) {
            if (level.compareTo(t.level) >= 0) {
                t.write(line);
            }
        }
    }

    public static void error(String message) {
        current.log(LogLevel.ERROR, 0, message);
    }

    public static void notice(String message) {
        current.log(LogLevel.NOTICE, 0, message);
    }

    public static void warn(String message) {
        current.log(LogLevel.WARN, 0, message);
    }

    public static void info(String message) {
        current.log(LogLevel.INFO, 0, message);
    }

    public static void alert(String message) {
        current.log(LogLevel.ALERT, 0, message);
    }

    public static void emerg(String message) {
        current.log(LogLevel.EMERG, 0, message);
    }
}
