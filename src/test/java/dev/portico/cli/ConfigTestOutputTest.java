package dev.portico.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.Launcher;
import dev.portico.testing.Launcher.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code -t} says what nginx's {@code -t} says, class of error by class of error, as compared
 * with nginx by hand: {@code [emerg] MESSAGE in FILE:LINE} (or without a place where nginx
 * finds the error once the file is read), then {@code configuration file FILE test failed} and
 * exit 1; errors nginx finds after parsing come after {@code syntax is ok}; warnings are said
 * (not under {@code -q}) and a good file ends with "test is successful", exit 0. The product
 * name replaces "nginx" in front of each line.
 */
class ConfigTestOutputTest {
    private record Case(String conf, int exit, List<String> lines, String... extraArgs) {
    }

    @TempDir
    Path dir;

    private static List<String> failed(String... emerg) {
        List<String> l = new ArrayList<>();
        for (String e : emerg) {
            l.add(e.startsWith("the configuration file") ? "portico: " + e : "portico: [emerg] " + e);
        }
        l.add("portico: configuration file FILE test failed");
        return l;
    }

    private static Map<String, Case> cases() {
        Map<String, Case> c = new LinkedHashMap<>();
        c.put("good", new Case("events {}\nhttp { server { listen 127.0.0.1:18998; return 200; } }\n", 0,
            List.of("portico: the configuration file FILE syntax is ok", "portico: configuration file FILE test is successful")));
        String conflicting = "events {}\nhttp {\n server { listen 127.0.0.1:18997; server_name a; }\n"
            + " server { listen 127.0.0.1:18997; server_name a; }\n}\n";
        c.put("warning", new Case(conflicting, 0, List.of("portico: [warn] conflicting server name \"a\" on 127.0.0.1:18997, ignored",
            "portico: the configuration file FILE syntax is ok", "portico: configuration file FILE test is successful")));
        c.put("warning, quiet", new Case(conflicting, 0, List.of(), "-q"));
        c.put("unknown directive", new Case("events {}\nhttp {\n  server {\n    retrun 200;\n  }\n}\n", 1,
            failed("unknown directive \"retrun\" in FILE:4")));
        c.put("not allowed here", new Case("events {}\nlisten 80;\nhttp {}\n", 1,
            failed("\"listen\" directive is not allowed here in FILE:2")));
        c.put("number of arguments", new Case("events {}\nhttp {\n server { listen; }\n}\n", 1,
            failed("invalid number of arguments in \"listen\" directive in FILE:3")));
        c.put("duplicate", new Case("events {}\nhttp {\n root /a;\n root /b;\n}\n", 1,
            failed("\"root\" directive is duplicate in FILE:4")));
        c.put("flag", new Case("events {}\nhttp {\n sendfile maybe;\n}\n", 1,
            failed("invalid value \"maybe\" in \"sendfile\" directive, it must be \"on\" or \"off\" in FILE:3")));
        c.put("one of a set", new Case("events {}\nhttp {\n server_tokens maybe;\n}\n", 1,
            failed("invalid value \"maybe\" in FILE:3")));
        c.put("number", new Case("events {}\nhttp {\n keepalive_requests x;\n}\n", 1,
            failed("\"keepalive_requests\" directive invalid number in FILE:3")));
        c.put("size", new Case("events {}\nhttp {\n client_max_body_size 1q;\n}\n", 1,
            failed("\"client_max_body_size\" directive invalid value in FILE:3")));
        c.put("events number", new Case("events {\n worker_connections -1;\n}\nhttp {}\n", 1,
            failed("invalid number \"-1\" in FILE:2")));
        c.put("missing include", new Case("events {}\nhttp {\n include DIR/nothere.conf;\n}\n", 1,
            failed("open() \"DIR/nothere.conf\" failed (2: No such file or directory) in FILE:3")));
        c.put("end of file", new Case("events {}\nhttp {\n server {\n", 1,
            failed("unexpected end of file, expecting \"}\" in FILE:4")));
        c.put("unexpected brace", new Case("events {}\nhttp {\n}\n}\n", 1, failed("unexpected \"}\" in FILE:4")));
        c.put("not terminated", new Case("events {}\nhttp {\n root /a {\n }\n}\n", 1,
            failed("directive \"root\" is not terminated by \";\" in FILE:3")));
        c.put("unknown variable", new Case("events {}\nhttp {\n server {\n  return 200 $nosuchvar;\n }\n}\n", 1,
            failed("unknown \"nosuchvar\" variable")));
        c.put("regex", new Case("events {}\nhttp {\n server {\n  location ~ a)b {}\n }\n}\n", 1,
            failed("pcre2_compile() failed: unmatched closing parenthesis in \"a)b\" at \")b\" in FILE:4")));
        c.put("duplicate location", new Case("events {}\nhttp {\n server {\n  location /a {}\n  location /a {}\n }\n}\n", 1,
            failed("duplicate location \"/a\" in FILE:5")));
        c.put("shared zone", new Case("events {}\nhttp {\n limit_req_zone $uri zone=a:1m rate=1r/s;\n"
            + " limit_req_zone $uri zone=a:2m rate=1r/s;\n}\n", 1,
            failed("the size 2097152 of shared memory zone \"a\" conflicts with already declared size 1048576 in FILE:4")));
        c.put("no events", new Case("http {}\n", 1,
            failed("the configuration file FILE syntax is ok", "no \"events\" section in configuration")));
        c.put("too few connections", new Case("events {\n worker_connections 1;\n}\nhttp { server { listen 127.0.0.1:18996; } }\n", 1,
            failed("the configuration file FILE syntax is ok", "1 worker_connections are not enough for 1 listening sockets")));
        return c;
    }

    @Test
    void everyClassOfErrorIsReportedAsNginxReportsIt() throws Exception {
        Map<String, Case> cases = cases();
        Map<String, Future<Result>> runs = new LinkedHashMap<>();
        // each case is a JVM start: a few at a time
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            int i = 0;
            for (Map.Entry<String, Case> e : cases.entrySet()) {
                Path prefix = Files.createDirectories(dir.resolve("case" + i++));
                Path conf = prefix.resolve("nginx.conf");
                Files.writeString(conf, e.getValue().conf().replace("DIR", prefix.toString()));
                List<String> args = new ArrayList<>(List.of("-t", "-p", prefix + "/", "-c", conf.toString()));
                args.addAll(List.of(e.getValue().extraArgs()));
                runs.put(e.getKey(), pool.submit(() -> Launcher.run(args.toArray(new String[0]))));
            }
            SoftAssertions soft = new SoftAssertions();
            i = 0;
            for (Map.Entry<String, Future<Result>> e : runs.entrySet()) {
                Case c = cases.get(e.getKey());
                Path prefix = dir.resolve("case" + i++);
                Result r = e.getValue().get();
                List<String> expected = c.lines().stream()
                    .map(l -> l.replace("FILE", prefix.resolve("nginx.conf").toString()).replace("DIR", prefix.toString())).toList();
                soft.assertThat(r.stderrLines()).as(e.getKey()).containsExactlyElementsOf(expected);
                soft.assertThat(r.exit()).as(e.getKey() + ": exit status").isEqualTo(c.exit());
                soft.assertThat(r.stdout()).as(e.getKey() + ": standard output").isEmpty();
            }
            soft.assertAll();
        } finally {
            pool.shutdownNow();
        }
        assertThat(runs).hasSize(cases.size());
    }
}
