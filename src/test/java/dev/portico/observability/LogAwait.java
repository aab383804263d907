package dev.portico.observability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;

/** Access logs are written by another thread: tests poll the file until a condition holds, with a deadline. */
final class LogAwait {
    private static final long DEADLINE_MILLIS = 10_000;

    private LogAwait() {
    }

    /** The file's lines (read as ISO-8859-1, so each char is one byte of the file). */
    static List<String> lines(Path file) {
        try {
            if (!Files.exists(file)) {
                return List.of();
            }
            String text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
            return text.isEmpty() ? List.of() : List.of(text.split("\n", -1)).subList(0, text.split("\n", -1).length - 1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until the file has at least {@code n} complete lines and returns them. */
    static List<String> lines(Path file, int n) {
        return until(file, l -> l.size() >= n);
    }

    static List<String> until(Path file, Predicate<List<String>> done) {
        long deadline = System.currentTimeMillis() + DEADLINE_MILLIS;
        while (true) {
            List<String> l = lines(file);
            if (done.test(l)) {
                return l;
            }
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out waiting on " + file + "; it has: " + l);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
