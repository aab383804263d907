package dev.portico.observability;

import dev.portico.bytes.ByteStrings;
import dev.portico.http.Exchange;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * The error log, in nginx's line layout: {@code 2026/11/26 17:00:00 [error] PID#TID: *CID message}.
 * One process-wide instance; the configuration decides its targets and level, {@link #reopen()}
 * re-opens files for log rotation. Lines are written whole with one write call each, so that
 * concurrent writers never interleave inside a line. {@link #of(Exchange)} gives the log of a
 * request's location when its configuration has its own {@code error_log}.
 *
 * <p>Writes are synchronous, as in nginx: one small append per line, normally absorbed by the
 * page cache. Keeping them synchronous keeps a message in the file before the response that
 * follows it reaches the client.
 */
public final class ErrorLog {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy/MM/dd HH:mm:ss");
    private static final long PID = ProcessHandle.current().pid();
    private static final String HEX = "0123456789ABCDEF";
    private static volatile ErrorLog current = new ErrorLog(List.of(new Target(null, LogLevel.NOTICE)), "portico");

    /** While a configuration is read at start or by {@code -t}: where warnings and worse are also said (nginx's ngx_use_stderr). */
    private static volatile java.util.function.Consumer<String> startupEcho;

    private final List<Target> targets;
    private final String programName;

    private ErrorLog(List<Target> targets, String programName) {
        this.targets = targets;
        this.programName = programName;
    }

    /** Where one spec writes: a file, or stderr when {@code file == null}. */
    private record Target(ErrorLogFile file, LogLevel level) {
        void write(byte[] line) {
            if (file == null) {
                PrintStream err = System.err;
                synchronized (err) {
                    err.write(line, 0, line.length);
                    err.flush();
                }
            } else {
                file.write(line);
            }
        }
    }

    public static ErrorLog get() {
        return current;
    }

    /**
     * The error log for messages about one request: the {@code error_log} list in force in its
     * location (or server, or http block) when one is set there, otherwise the main one. nginx
     * switches the connection's log the same way when it picks the location
     * (ngx_http_update_location_config).
     */
    public static ErrorLog of(Exchange ex) {
        ErrorLog main = current;
        if (ex == null || ex.server() == null) {
            return main;
        }
        List<ErrorLogSpec> specs = ex.settings().get(HttpLogModule.ERROR_LOG);
        if (specs == null || specs == ex.snapshot().main(HttpLogModule.ERROR_LOG)) {
            return main;
        }
        RequestErrorLogs logs = ex.snapshot().build().registry(RequestErrorLogs.class);
        return logs == null ? main : logs.forSpecs(specs, main.programName);
    }

    /** An error log over shared files (a per-location {@code error_log}); files open on first write. */
    static ErrorLog over(List<ErrorLogFile> files, List<LogLevel> levels, String programName) {
        List<Target> ts = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            ts.add(new Target(files.get(i), levels.get(i)));
        }
        return new ErrorLog(List.copyOf(ts), programName);
    }

    /** Logs to stderr only, before any configuration is read ({@code -e stderr} or the default). */
    public static void useStderr(String programName, LogLevel level) {
        install(new ErrorLog(List.of(new Target(null, level)), programName));
    }

    /** Opens the given files (resolved paths, or null for stderr) and makes them the error log. */
    public static void use(List<Path> paths, List<LogLevel> levels, String programName) throws IOException {
        List<Target> ts = new ArrayList<>();
        for (int i = 0; i < paths.size(); i++) {
            ErrorLogFile f = null;
            if (paths.get(i) != null) {
                f = new ErrorLogFile(paths.get(i));
                try {
                    f.open();
                } catch (IOException e) {
                    for (Target opened : ts) {
                        if (opened.file() != null) {
                            opened.file().close();
                        }
                    }
                    throw new OpenException(paths.get(i), e);
                }
            }
            ts.add(new Target(f, levels.get(i)));
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
            if (t.file() == null && level.compareTo(t.level()) >= 0) {
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
                if (t.file != null) {
                    t.file.close();
                }
            }
        }
    }

    public String programName() {
        return programName;
    }

    /** Re-opens every file target (after logrotate renamed it). */
    public void reopen() {
        for (Target t : targets) {
            if (t.file == null) {
                continue;
            }
            try {
                t.file.open();
            } catch (IOException e) {
                log(LogLevel.ALERT, 0, "reopen of \"" + t.file.path() + "\" failed (" + e.getMessage() + ")");
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
        // one message, one line: a control byte that slipped through unescaped cannot start a forged line
        appendControlsEscaped(b, message).append('\n');
        byte[] line = ByteStrings.bytes(b.toString());
        for (Target t : targets) {
            if (level.compareTo(t.level) >= 0) {
                t.write(line);
            }
        }
        java.util.function.Consumer<String> echo = startupEcho;
        if (echo != null && level.compareTo(LogLevel.WARN) >= 0 && !writesToStderr(level)) {
            echo.accept(appendControlsEscaped(new StringBuilder("[").append(level.word()).append("] "), message).toString());
        }
    }

    /**
     * Says warnings and worse also to {@code sink} (standard error, "nginx: [warn] ...") while the
     * configuration is read, as nginx does before it starts serving; null stops it.
     */
    public static void echoWhileReading(java.util.function.Consumer<String> sink) {
        startupEcho = sink;
    }

    /**
     * A value that came from a client (request line, URI, header, host), made safe to quote in
     * a message: bytes below 0x20, {@code "}, {@code \} and from 0x7F up become {@code \xHH}, as
     * in the access log. nginx writes them raw, so a CR or LF in a request could forge lines.
     */
    public static String escape(String value) {
        if (value == null) {
            return null;
        }
        int i = 0;
        while (i < value.length() && !unsafe(value.charAt(i))) {
            i++;
        }
        if (i == value.length()) {
            return value;
        }
        StringBuilder b = new StringBuilder(value.length() + 16).append(value, 0, i);
        for (byte x : ByteStrings.bytes(value.substring(i))) {
            int c = x & 0xff;
            if (unsafe((char) c)) {
                b.append("\\x").append(HEX.charAt(c >> 4)).append(HEX.charAt(c & 0xf));
            } else {
                b.append((char) c);
            }
        }
        return b.toString();
    }

    /** The tail nginx appends to error log lines about a request: client, server, request line and host (escaped). */
    public static String context(Exchange ex) {
        StringBuilder b = new StringBuilder(128);
        b.append(", client: ").append(ex.remoteHost())
            .append(", server: ").append(ex.server().primaryName())
            .append(", request: \"").append(requestLine(ex)).append('"');
        b.append(subrequest(ex));
        String host = ex.requestHeaders().get(io.netty.handler.codec.http.HttpHeaderNames.HOST);
        if (host != null) {
            b.append(", host: \"").append(escape(host)).append('"');
        }
        return b.toString();
    }

    /** nginx's {@code , subrequest: "/uri"} after the request line of a line about a subrequest; empty otherwise. */
    public static String subrequest(Exchange ex) {
        return ex.isSubrequest() ? ", subrequest: \"" + escape(ex.uri()) + '"' : "";
    }

    /** The client's request line as nginx quotes it ({@code request: "..."}), escaped. */
    public static String requestLine(Exchange ex) {
        return escape(ex.requestLine());
    }

    private static StringBuilder appendControlsEscaped(StringBuilder b, String message) {
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                b.append("\\x").append(HEX.charAt(c >> 4)).append(HEX.charAt(c & 0xf));
            } else {
                b.append(c);
            }
        }
        return b;
    }

    private static boolean unsafe(char c) {
        return c < 0x20 || c >= 0x7f || c == '"' || c == '\\';
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
