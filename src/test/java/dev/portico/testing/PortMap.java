package dev.portico.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps the fixed ports written in a test's nginx.conf (e.g. {@code 127.0.0.1:8080},
 * {@code listen 17080}) to free ephemeral ports, consistently, so configurations can be
 * written as a user would and still run in parallel with anything else on the machine.
 */
public final class PortMap {
    private static final Pattern ADDRESS_PORT = Pattern.compile("(127\\.0\\.0\\.1|localhost|\\[::1\\]|\\[::\\]|\\*):(\\d{4,5})\\b");
    private static final Pattern BARE_LISTEN = Pattern.compile("(\\blisten\\s+)(\\d{4,5})\\b");

    private final Map<Integer, Integer> ports = new HashMap<>();

    /** The free port standing in for {@code original}; allocated on first use. */
    public synchronized int get(int original) {
        return ports.computeIfAbsent(original, o -> freePort());
    }

    /** Leaves {@code port} as written: a port a test server already listens on, named in the text (a URL, say). */
    public synchronized PortMap keep(int port) {
        ports.put(port, port);
        return this;
    }

    public String rewrite(String text) {
        Matcher m = ADDRESS_PORT.matcher(text);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(b, Matcher.quoteReplacement(m.group(1) + ":" + get(Integer.parseInt(m.group(2)))));
        }
        m.appendTail(b);
        m = BARE_LISTEN.matcher(b.toString());
        StringBuilder c = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(c, Matcher.quoteReplacement(m.group(1) + get(Integer.parseInt(m.group(2)))));
        }
        m.appendTail(c);
        return c.toString();
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
