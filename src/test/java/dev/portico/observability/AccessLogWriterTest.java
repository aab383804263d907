package dev.portico.observability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The writer thread on its own: a full queue drops lines (the event loop never waits) and says so once. */
class AccessLogWriterTest {

    @Test
    void fullQueueDropsLinesAndReportsTheCount(@TempDir Path dir) throws Exception {
        Path errors = dir.resolve("error.log");
        ErrorLog before = ErrorLog.get();
        ErrorLog.use(List.of(errors), List.of(LogLevel.NOTICE), before.programName());
        AccessLogWriter w = AccessLogWriter.of(dev.portico.core.ServerState.fresh());
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread blocker = new Thread(() -> w.run(() -> {
            busy.countDown();
            await(release);
        }));
        try {
            blocker.start();
            assertThat(busy.await(5, TimeUnit.SECONDS)).isTrue();
            Path file = dir.resolve("access.log");
            byte[] line = "x\n".getBytes(StandardCharsets.US_ASCII);
            long dropsBefore = w.droppedUnreported();
            for (int i = 0; i < AccessLogWriter.QUEUE_CAPACITY + 25; i++) {
                w.submit(file, false, line);
            }
            assertThat(w.droppedUnreported() - dropsBefore).isGreaterThanOrEqualTo(25);
            release.countDown();
            blocker.join(5000);
            assertThat(LogAwait.lines(file, AccessLogWriter.QUEUE_CAPACITY)).hasSize(AccessLogWriter.QUEUE_CAPACITY);
            LogAwait.until(errors, l -> l.stream().anyMatch(s -> s.contains("access log lines dropped")));
            assertThat(Files.readString(errors)).containsPattern("\\[alert\\] .*: \\d+ access log lines dropped");
        } finally {
            release.countDown();
            w.stop();
            restore(before);
        }
    }

    private static void restore(ErrorLog before) throws IOException {
        ErrorLog.useStderr(before.programName(), LogLevel.NOTICE);
    }

    private static void await(CountDownLatch l) {
        try {
            l.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
