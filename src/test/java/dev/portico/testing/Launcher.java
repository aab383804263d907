package dev.portico.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code bin/portico} as a real process, the way users and harnesses do, on the test JVM's
 * class path ({@code PORTICO_CLASSPATH}) and Java ({@code JAVA_HOME}), so no package step is needed.
 */
public final class Launcher {
    private Launcher() {
    }

    /** The launcher script of this checkout. */
    public static Path script() {
        return Path.of(System.getProperty("user.dir")).resolve("bin/portico").toAbsolutePath();
    }

    /** A process builder for {@code executable args...} with the test environment; stdin is /dev/null. */
    public static ProcessBuilder builder(List<String> command) {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("PORTICO_CLASSPATH", System.getProperty("java.class.path"));
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        // quick start-up for short-lived test servers
        pb.environment().put("PORTICO_JAVA_OPTS", "-XX:TieredStopAtLevel=1 -Xmx128m -Xshare:auto");
        pb.environment().remove("JAVA_OPTS");
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        return pb;
    }

    public static List<String> command(Path executable, String... args) {
        List<String> c = new ArrayList<>();
        c.add(executable.toString());
        c.addAll(List.of(args));
        return c;
    }

    /** What a finished command printed and returned. */
    public record Result(int exit, String stdout, String stderr) {
        public List<String> stderrLines() {
            return stderr.isEmpty() ? List.of() : List.of(stderr.split("\n"));
        }
    }

    /** Runs {@code bin/portico args...} to completion (at most 30 s). */
    public static Result run(String... args) {
        return run(script(), args);
    }

    public static Result run(Path executable, String... args) {
        try (Running r = start(builder(command(executable, args)))) {
            int exit = r.waitFor(Duration.ofSeconds(30));
            return new Result(exit, r.stdout(), r.stderr());
        }
    }

    /** Starts a long-running command; its output goes to files read by {@link Running#stdout()}. */
    public static Running start(String... args) {
        return start(builder(command(script(), args)));
    }

    public static Running start(ProcessBuilder pb) {
        try {
            Path out = Files.createTempFile("portico-stdout", ".txt");
            Path err = Files.createTempFile("portico-stderr", ".txt");
            pb.redirectOutput(out.toFile()).redirectError(err.toFile());
            return new Running(pb.start(), out, err);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends a signal by name ("QUIT", "HUP"...) with kill(1). */
    public static void kill(String signal, long pid) {
        try {
            Process p = new ProcessBuilder("kill", "-s", signal, Long.toString(pid)).inheritIO().start();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new AssertionError("kill -s " + signal + " " + pid + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** A started command. Closing it kills whatever of it is left (the process and its descendants). */
    public static final class Running implements AutoCloseable {
        private final Process process;
        private final Path out;
        private final Path err;

        Running(Process process, Path out, Path err) {
            this.process = process;
            this.out = out;
            this.err = err;
        }

        public long pid() {
            return process.pid();
        }

        public Process process() {
            return process;
        }

        /** Waits for exit; fails the test when it takes longer than {@code timeout}. */
        public int waitFor(Duration timeout) {
            try {
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new AssertionError("process did not exit within " + timeout.toMillis() + " ms; stderr: " + stderr());
                }
                return process.exitValue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }

        public String stdout() {
            return read(out);
        }

        public String stderr() {
            return read(err);
        }

        private static String read(Path p) {
            try {
                return Files.readString(p, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() {
            List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
            all.add(process.toHandle());
            for (ProcessHandle h : all) {
                h.destroyForcibly();
            }
            try {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            } catch (IOException ignored) {
                // temp files
            }
        }
    }
}
