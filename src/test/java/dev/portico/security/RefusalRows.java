package dev.portico.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.TestPortico;
import java.util.List;

/** Reads a running test server's refusal counters ({@link Refusals}) the way the status page will. */
final class RefusalRows {
    private RefusalRows() {
    }

    static List<Refusals.Row> rows(TestPortico p) {
        return Refusals.of(p.server().state()).rows();
    }

    /** The counter's value; the row must exist. */
    static long count(TestPortico p, String kind, String name, String counter) {
        List<Refusals.Row> found = rows(p).stream()
            .filter(r -> r.kind().equals(kind) && r.name().equals(name) && r.counter().equals(counter)).toList();
        assertThat(found).as(kind + " " + name + " " + counter + " in " + rows(p)).hasSize(1);
        return found.get(0).value();
    }

    /** How a line of conf/nginx.conf is named: {@code /abs/prefix/conf/nginx.conf:5 deny all}. */
    static String line(TestPortico p, int line, String text) {
        return p.prefix().resolve("conf/nginx.conf").toAbsolutePath().normalize() + ":" + line + " " + text;
    }

    /** The names of the rows of one kind, each once, in order. */
    static List<String> names(TestPortico p, String kind) {
        return rows(p).stream().filter(r -> r.kind().equals(kind)).map(Refusals.Row::name).distinct().toList();
    }
}
