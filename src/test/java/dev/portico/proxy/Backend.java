package dev.portico.proxy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A scriptable HTTP/1.1 backend on a raw server socket (one thread per connection), so tests
 * control every byte: delays, bad headers, wrong framing, closing mid-body. Each request is
 * parsed (head, and the body unless the handler wants the stream) and recorded.
 */
final class Backend implements AutoCloseable {
    /** A parsed request; {@code body} is null when the handler reads the body stream itself. */
    record Request(String method, String target, String version, List<String[]> headers, byte[] body, int connection) {
        String header(String name) {
            for (String[] h : headers) {
                if (h[0].equalsIgnoreCase(name)) {
                    return h[1];
                }
            }
            return null;
        }

        List<String> headerNames() {
            List<String> out = new ArrayList<>();
            for (String[] h : headers) {
                out.add(h[0]);
            }
            return out;
        }

        String bodyText() {
            return body == null ? null : new String(body, StandardCharsets.UTF_8);
        }
    }

    /** What a handler writes to; {@link #close()} ends the connection after the handler returns. */
    static final class Exchange {
        final Request request;
        final InputStream in;
        final OutputStream out;
        boolean close;

        Exchange(Request request, InputStream in, OutputStream out) {
            this.request = request;
            this.in = in;
            this.out = out;
        }

        /** A complete response with Content-Length. */
        void send(int status, String body, String... headers) throws IOException {
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            StringBuilder h = new StringBuilder("HTTP/1.1 " + status + " " + reason(status) + "\r\n");
            for (String x : headers) {
                h.append(x).append("\r\n");
            }
            h.append("Content-Length: ").append(b.length).append("\r\n\r\n");
            out.write(h.toString().getBytes(StandardCharsets.ISO_8859_1));
            if (!request.method().equals("HEAD")) {
                out.write(b);
            }
            out.flush();
        }

        void raw(String text) throws IOException {
            out.write(text.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        void raw(byte[] bytes) throws IOException {
            out.write(bytes);
            out.flush();
        }

        void close() {
            close = true;
        }
    }

    @FunctionalInterface
    interface Handler {
        void handle(Exchange ex) throws Exception;
    }

    private final ServerSocket server;
    private final Handler handler;
    private final boolean streamBody;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    final BlockingQueue<Request> requests = new LinkedBlockingQueue<>();
    final AtomicInteger connections = new AtomicInteger();
    /** Connections that ended (closed by the proxy or by the handler). */
    final AtomicInteger closedConnections = new AtomicInteger();
    private volatile boolean closed;

    Backend(Handler handler) {
        this(0, handler, false);
    }

    /** A backend on the port that stands for {@code original} in the test's configuration text. */
    static Backend on(dev.portico.testing.PortMap ports, int original, Handler handler) {
        return new Backend(ports.get(original), handler, false);
    }

    static Backend streaming(dev.portico.testing.PortMap ports, int original, Handler handler) {
        return new Backend(ports.get(original), handler, true);
    }

    /** @param streamBody the handler reads the request body from {@code in} itself */
    Backend(int port, Handler handler, boolean streamBody) {
        this.handler = handler;
        this.streamBody = streamBody;
        try {
            server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread t = new Thread(this::acceptLoop, "backend-accept");
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return server.getLocalPort();
    }

    /** The next request, waiting up to 10 s. */
    Request take() throws InterruptedException {
        Request r = requests.poll(10, TimeUnit.SECONDS);
        if (r == null) {
            throw new AssertionError("the backend received no request");
        }
        return r;
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket s = server.accept();
                sockets.add(s);
                int n = connections.incrementAndGet();
                Thread t = new Thread(() -> serve(s, n), "backend-conn-" + n);
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s, int connection) {
        try (s) {
            s.setTcpNoDelay(true);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            while (!closed) {
                String head = readHead(in);
                if (head == null) {
                    return;
                }
                String[] lines = head.split("\r\n");
                String[] rl = lines[0].split(" ", 3);
                List<String[]> headers = new ArrayList<>();
                for (int i = 1; i < lines.length; i++) {
                    int c = lines[i].indexOf(':');
                    headers.add(new String[] {lines[i].substring(0, c), lines[i].substring(c + 1).trim()});
                }
                Request probe = new Request(rl[0], rl[1], rl[2], headers, null, connection);
                byte[] body = null;
                if (!streamBody) {
                    body = readBody(in, probe);
                }
                Request r = new Request(rl[0], rl[1], rl[2], headers, body, connection);
                requests.add(r);
                Exchange ex = new Exchange(r, in, out);
                try {
                    handler.handle(ex);
                } catch (RuntimeException e) {
                    if (e.getClass().getSimpleName().equals("ResetSignal")) {
                        s.setSoLinger(true, 0);
                        return;
                    }
                    throw e;
                }
                out.flush();
                if (ex.close) {
                    return;
                }
            }
        } catch (Exception e) {
            // the proxy closed the connection: fine for a test backend
        } finally {
            sockets.remove(s);
            closedConnections.incrementAndGet();
        }
    }

    static byte[] readBody(InputStream in, Request r) throws IOException {
        String te = r.header("Transfer-Encoding");
        String cl = r.header("Content-Length");
        if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            while (true) {
                String line = readLine(in);
                int semi = line.indexOf(';');
                int size = Integer.parseInt((semi < 0 ? line : line.substring(0, semi)).trim(), 16);
                if (size == 0) {
                    while (!readLine(in).isEmpty()) {
                        // trailer fields
                    }
                    return b.toByteArray();
                }
                b.write(in.readNBytes(size));
                readLine(in);
            }
        }
        if (cl != null) {
            return in.readNBytes(Integer.parseInt(cl.trim()));
        }
        return new byte[0];
    }

    static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4) {
            int c = in.read();
            if (c < 0) {
                return null;
            }
            b.write(c);
            state = (c == '\r' && (state == 0 || state == 2)) ? state + 1 : (c == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
        }
        String s = b.toString(StandardCharsets.ISO_8859_1);
        return s.substring(0, s.length() - 4);
    }

    static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (c != '\r') {
                b.write(c);
            }
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 201 -> "Created";
            case 204 -> "No Content";
            case 301 -> "Moved Permanently";
            case 302 -> "Found";
            case 304 -> "Not Modified";
            case 404 -> "Not Found";
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            default -> "Whatever";
        };
    }

    /** Closes every open connection from the proxy (keeps listening). */
    void dropConnections() {
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // already gone
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing a test socket
        }
        dropConnections();
    }
}
