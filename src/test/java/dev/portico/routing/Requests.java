package dev.portico.routing;

import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;

/** One request per connection to port 8080 of a test Portico, read back whole. */
final class Requests {
    private Requests() {
    }

    static RawHttp.Response get(TestPortico p, String target) {
        return send(p, "GET", target, "localhost");
    }

    static RawHttp.Response send(TestPortico p, String method, String target, String host, String... headers) {
        try (RawHttp c = new RawHttp(p.port(8080))) {
            StringBuilder b = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: ")
                .append(host).append("\r\nConnection: close\r\n");
            for (String h : headers) {
                b.append(h).append("\r\n");
            }
            if (method.equals("POST")) {
                b.append("Content-Length: 0\r\n");
            }
            c.send(b.append("\r\n").toString());
            return c.readResponse(method.equals("HEAD"));
        }
    }
}
