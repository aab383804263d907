package dev.portico.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.portico.config.ConfigException;
import dev.portico.testing.Await;
import dev.portico.testing.PortMap;
import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Temporary files of request bodies and buffered responses: owner-only modes, created without
 * following or replacing an existing name, unlinked while still in use, spread over levels.
 */
class TempFilesTest {
    private static final Pattern BODY_FILE = Pattern.compile("a client request body is buffered to a temporary file ([^\\s,]+)");
    private static final Pattern RESPONSE_FILE = Pattern.compile("an upstream response is buffered to a temporary file ([^\\s,]+)");

    private static String conf(String http) {
        return "error_log logs/error.log info;\nevents {}\nhttp {\n" + http
            + " upstream backend { server 127.0.0.1:17081; }\n"
            + " server { listen 127.0.0.1:8080; client_body_buffer_size 1k; location / { proxy_pass http://backend; } }\n}\n";
    }

    /** Waits for the error log to name a temporary file and returns that name. */
    private static Path announced(TestPortico p, Pattern line, int nth) {
        List<Path> found = new ArrayList<>();
        Await.until(Duration.ofSeconds(10), "temporary file #" + nth + " in the error log", () -> {
            found.clear();
            Matcher m = line.matcher(p.errorLog());
            while (m.find()) {
                found.add(Path.of(m.group(1)));
            }
            return found.size() >= nth;
        });
        return found.get(nth - 1);
    }

    private static List<Path> regularFiles(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    /** Files this JVM holds open whose name was under {@code dir}, as /proc shows them. */
    private static List<Path> openDeletedFiles(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith(dir.toString()) && target.endsWith(" (deleted)")) {
                        out.add(fd);
                    }
                } catch (IOException gone) {
                    // a descriptor closed while we listed
                }
            }
        }
        return out;
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    @Test
    void aBufferedUploadLeavesNoVisibleFileInOwnerOnlyLevelDirectories() throws Exception {
        PortMap ports = new PortMap();
        byte[] body = random(20_000);
        try (Backend b = Backend.on(ports, 17081, ex -> ex.send(200, "got " + ex.request.body().length));
             TestPortico p = TestPortico.builder().ports(ports).conf(conf(" client_body_temp_path body_tmp 1 2;\n")).start();
             RawHttp c = new RawHttp(p.port(8080))) {
            // half the body, then the client pauses: Portico holds the first half in its file
            c.send("POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: " + body.length + "\r\n\r\n").send(Arrays.copyOf(body, 10_000));
            Path file = announced(p, BODY_FILE, 1);
            Path dir = p.prefix().resolve("body_tmp");
            String name = file.getFileName().toString();
            assertThat(name).matches("\\d{10}");
            // levels 1 2: the last digit, then the two before it
            assertThat(file).isEqualTo(dir.resolve(name.substring(9)).resolve(name.substring(7, 9)).resolve(name));
            assertThat(mode(dir)).isEqualTo("rwx------");
            assertThat(mode(file.getParent())).isEqualTo("rwx------");
            assertThat(mode(file.getParent().getParent())).isEqualTo("rwx------");
            assertThat(regularFiles(dir)).isEmpty();
            List<Path> open = openDeletedFiles(dir);
            assertThat(open).hasSize(1);
            assertThat(mode(open.get(0))).isEqualTo("rw-------");

            c.send(Arrays.copyOfRange(body, 10_000, body.length));
            assertThat(c.readResponse(false).bodyText()).isEqualTo("got " + body.length);
            assertThat(Arrays.equals(b.take().body(), body)).isTrue();
            Await.until(Duration.ofSeconds(10), "the temporary file to be closed", () -> {
                try {
                    return openDeletedFiles(dir).isEmpty();
                } catch (IOException e) {
                    return false;
                }
            });
            assertThat(regularFiles(dir)).isEmpty();
        }
    }

    @Test
    void namesThatExistAreSkippedAndLeftAlone() throws Exception {
        PortMap ports = new PortMap();
        byte[] body = random(5_000);
        try (Backend b = Backend.on(ports, 17081, ex -> ex.send(200, "got " + ex.request.body().length));
             TestPortico p = TestPortico.builder().ports(ports).conf(conf(" client_body_temp_path body_tmp;\n")).start();
             RawHttp c = new RawHttp(p.port(8080))) {
            c.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: " + body.length + "\r\n\r\n").send(body);
            assertThat(c.readResponse(false).status()).isEqualTo(200);
            Path first = announced(p, BODY_FILE, 1);
            long n = Long.parseLong(first.getFileName().toString());
            // someone else's files (and a symlink to a file outside) on the next names
            Path dir = first.getParent();
            Path outside = p.prefix().resolve("precious.txt");
            Files.writeString(outside, "keep me");
            List<Path> planted = new ArrayList<>();
            for (int i = 1; i <= 5; i++) {
                Path f = dir.resolve(String.format("%010d", n + i));
                if (i == 1) {
                    Files.createSymbolicLink(f, outside);
                } else {
                    Files.writeString(f, "planted " + i);
                }
                planted.add(f);
            }
            c.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: " + body.length + "\r\n\r\n").send(body);
            assertThat(c.readResponse(false).bodyText()).isEqualTo("got " + body.length);
            assertThat(Arrays.equals(b.take().body(), body)).isTrue();
            assertThat(Arrays.equals(b.take().body(), body)).isTrue();
            Path second = announced(p, BODY_FILE, 2);
            assertThat(planted).doesNotContain(second);
            assertThat(Files.readString(outside)).isEqualTo("keep me");
            assertThat(Files.isSymbolicLink(planted.get(0))).isTrue();
            for (int i = 1; i < planted.size(); i++) {
                assertThat(Files.readString(planted.get(i))).isEqualTo("planted " + (i + 1));
            }
        }
    }

    @Test
    void aResponseBufferedToDiskIsAnUnlinkedOwnerOnlyFile() throws Exception {
        PortMap ports = new PortMap();
        byte[] body = random(4 * 1024 * 1024);
        CountDownLatch backendDone = new CountDownLatch(1);
        try (Backend b = Backend.on(ports, 17081, ex -> {
                ex.raw("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\n\r\n");
                ex.raw(body);
                backendDone.countDown();
            });
             TestPortico p = TestPortico.builder().ports(ports).conf(conf(" proxy_temp_path resp_tmp 2;\n")).start();
             Socket s = new Socket()) {
            s.setReceiveBufferSize(16 * 1024);
            s.connect(new InetSocketAddress("127.0.0.1", p.port(8080)));
            s.getOutputStream().write("GET /big HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            // the client reads nothing yet: the rest of the response waits in a file
            assertThat(backendDone.await(20, TimeUnit.SECONDS)).isTrue();
            Path file = announced(p, RESPONSE_FILE, 1);
            Path dir = p.prefix().resolve("resp_tmp");
            String name = file.getFileName().toString();
            assertThat(file).isEqualTo(dir.resolve(name.substring(8)).resolve(name));
            assertThat(mode(dir)).isEqualTo("rwx------");
            assertThat(mode(file.getParent())).isEqualTo("rwx------");
            assertThat(regularFiles(dir)).isEmpty();
            List<Path> open = openDeletedFiles(dir);
            assertThat(open).isNotEmpty();
            for (Path fd : open) {
                assertThat(mode(fd)).isEqualTo("rw-------");
            }
            InputStream in = s.getInputStream();
            assertThat(Backend.readHead(in)).startsWith("HTTP/1.1 200 OK");
            assertThat(Arrays.equals(in.readNBytes(body.length), body)).isTrue();
            assertThat(regularFiles(dir)).isEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "x", "-1", "5 6", "4 4 3"})
    void levelsNginxRefusesAreRefused(String levels) {
        // nginx: a positive number each, adding up to at most the 10 characters of a name
        assertThatThrownBy(() -> TestPortico.load("events {}\nhttp {\n client_body_temp_path t " + levels + ";\n}\n"))
            .isInstanceOf(ConfigException.class).hasMessageContaining("\"client_body_temp_path\" directive invalid")
            .hasMessageContaining("nginx.conf:3");
    }

    @Test
    void threeLevelsCanTakeTheWholeName() throws Exception {
        PortMap ports = new PortMap();
        byte[] body = random(3_000);
        try (Backend b = Backend.on(ports, 17081, ex -> ex.send(200, "got " + ex.request.body().length));
             TestPortico p = TestPortico.builder().ports(ports).conf(conf(" client_body_temp_path body_tmp 3 3 4;\n")).start();
             RawHttp c = new RawHttp(p.port(8080))) {
            c.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: " + body.length + "\r\n\r\n").send(body);
            assertThat(c.readResponse(false).bodyText()).isEqualTo("got " + body.length);
            Path file = announced(p, BODY_FILE, 1);
            String n = file.getFileName().toString();
            Path dir = p.prefix().resolve("body_tmp");
            assertThat(file).isEqualTo(dir.resolve(n.substring(7)).resolve(n.substring(4, 7)).resolve(n.substring(0, 4)).resolve(n));
            assertThat(mode(file.getParent())).isEqualTo("rwx------");
            assertThat(regularFiles(dir)).isEmpty();
        }
    }
}
