package dev.portico.health;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One health check request: a blocking {@code GET} with {@code Connection: close} on a checker
 * thread (never an event loop), bounded by its own connect and read timeouts. At most
 * {@link #MAX_BODY} bytes of the body are read for {@code body} conditions.
 */
final class Probe {
    static final int MAX_BODY = 64 * 1024;

    record Response(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private Probe() {
    }

    static Response get(SocketAddress address, String host, String uri, int timeoutMillis) throws IOException {
        return get(address, host, uri, timeoutMillis, null);
    }

    /** With {@code tls}, the probe speaks HTTPS as the location's proxy_pass does (handshake within the same timeout). */
    static Response get(SocketAddress address, String host, String uri, int timeoutMillis,
                        dev.portico.proxy.ProxyModule.ProbeTls tls) throws IOException {
        Socket plain = new Socket();
        try (Socket s = secured(plain, address, timeoutMillis, tls)) {
            OutputStream out = s.getOutputStream();
            out.write(("GET " + uri + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: portico-health-check\r\n"
                + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            int headEnd = -1;
            int n;
            while ((n = in.read(buf)) > 0) {
                all.write(buf, 0, n);
                byte[] b = all.toByteArray();
                if (headEnd < 0) {
                    headEnd = indexOf(b, "\r\n\r\n");
                }
                if (headEnd >= 0 && (b.length - headEnd - 4 >= MAX_BODY || complete(b, headEnd))) {
                    break;
                }
            }
            byte[] b = all.toByteArray();
            if (headEnd < 0) {
                headEnd = indexOf(b, "\r\n\r\n");
            }
            if (headEnd < 0) {
                throw new IOException("upstream sent no valid HTTP/1.0 header");
            }
            String[] lines = new String(b, 0, headEnd, StandardCharsets.ISO_8859_1).split("\r\n");
            String[] statusLine = lines[0].split(" ", 3);
            if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/")) {
                throw new IOException("upstream sent no valid HTTP/1.0 header");
            }
            int status;
            try {
                status = Integer.parseInt(statusLine[1]);
            } catch (NumberFormatException e) {
                throw new IOException("upstream sent no valid HTTP/1.0 header");
            }
            Map<String, String> headers = new TreeMap<>();
            for (int i = 1; i < lines.length; i++) {
                int c = lines[i].indexOf(':');
                if (c > 0) {
                    headers.merge(lines[i].substring(0, c).trim().toLowerCase(Locale.ROOT), lines[i].substring(c + 1).trim(),
                        (x, y) -> x + ", " + y);
                }
            }
            int from = headEnd + 4;
            int len = Math.min(b.length - from, MAX_BODY);
            String cl = headers.get("content-length");
            if (cl != null) {
                try {
                    len = (int) Math.min(len, Long.parseLong(cl));
                } catch (NumberFormatException ignored) {
                    // read what came
                }
            }
            String body = new String(b, from, Math.max(0, len), StandardCharsets.ISO_8859_1); // bytes, as the patterns
            return new Response(status, headers, body);
        }
    }

    private static Socket secured(Socket plain, SocketAddress address, int timeoutMillis, dev.portico.proxy.ProxyModule.ProbeTls tls)
        throws IOException {
        try {
            plain.connect(address, timeoutMillis);
            plain.setSoTimeout(timeoutMillis);
            return tls == null ? plain : tls.secure(plain);
        } catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }

    /** A Content-Length body fully read (the server may keep the connection open despite "close"). */
    private static boolean complete(byte[] b, int headEnd) {
        String head = new String(b, 0, headEnd, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
        int i = head.indexOf("\r\ncontent-length:");
        if (i < 0) {
            return false;
        }
        int end = head.indexOf("\r\n", i + 2);
        try {
            long len = Long.parseLong(head.substring(i + 17, end < 0 ? head.length() : end).trim());
            return b.length - headEnd - 4 >= len;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static int indexOf(byte[] b, String what) {
        byte[] w = what.getBytes(StandardCharsets.ISO_8859_1);
        outer:
        for (int i = 0; i + w.length <= b.length; i++) {
            for (int j = 0; j < w.length; j++) {
                if (b[i + j] != w[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    static SocketAddress withPort(SocketAddress a, int port) {
        if (port > 0 && a instanceof InetSocketAddress i) {
            return new InetSocketAddress(i.getAddress(), port);
        }
        return a;
    }
}
