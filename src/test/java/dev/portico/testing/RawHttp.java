package dev.portico.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** A raw socket client for protocol edge cases: sends bytes as given and reads what comes back. */
public final class RawHttp implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public RawHttp(int port) {
        this("127.0.0.1", port);
    }

    /** Connects to another local address, e.g. 127.0.0.2 or ::1. */
    public RawHttp(String host, int port) {
        try {
            socket = new Socket();
            socket.connect(new InetSocketAddress(host, port), 5000);
            socket.setSoTimeout(10_000);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Over a socket already connected (e.g. a TLS socket after its handshake). */
    public RawHttp(Socket connected) {
        try {
            socket = connected;
            socket.setSoTimeout(10_000);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends the text (use \r\n yourself). */
    public RawHttp send(String text) {
        return send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    public RawHttp send(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads until the server closes the connection (or the timeout), returning everything. */
    public String readUntilClose(int timeoutMillis) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try {
            socket.setSoTimeout(timeoutMillis);
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) >= 0) {
                b.write(buf, 0, n);
            }
        } catch (SocketTimeoutException e) {
            // return what arrived
        } catch (IOException e) {
            // a reset also ends the read
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    /** True when the server closed the connection (read returns EOF within the timeout). */
    public boolean closedByServer(int timeoutMillis) {
        try {
            socket.setSoTimeout(timeoutMillis);
            byte[] buf = new byte[8192];
            while (true) {
                int n = in.read(buf);
                if (n < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    /**
     * Reads one response: the head, then a body framed by Content-Length or chunked encoding
     * (or none for HEAD-style use with {@code headOnly}).
     */
    public Response readResponse(boolean headOnly) {
        try {
            String head = readHead();
            Response r = Response.parseHead(head);
            if (headOnly || r.status() == 204 || r.status() == 304 || r.status() < 200) {
                return r;
            }
            String cl = r.header("content-length");
            String te = r.header("transfer-encoding");
            byte[] body;
            if (te != null && te.equalsIgnoreCase("chunked")) {
                body = readChunked();
            } else if (cl != null) {
                body = in.readNBytes(Integer.parseInt(cl.trim()));
            } else {
                body = in.readAllBytes();
            }
            return r.withBody(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String readHead() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int state = 0;
        while (state < 4) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("connection closed in response head: " + b.toString(StandardCharsets.ISO_8859_1));
            }
            b.write(c);
            state = (c == '\r' && (state == 0 || state == 2)) ? state + 1 : (c == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (c != '\r') {
                b.write(c);
            }
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    private byte[] readChunked() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String line = readLine();
            int semi = line.indexOf(';');
            int size = Integer.parseInt((semi < 0 ? line : line.substring(0, semi)).trim(), 16);
            if (size == 0) {
                while (!readLine().isEmpty()) {
                    // trailers
                }
                return body.toByteArray();
            }
            body.write(in.readNBytes(size));
            readLine();
        }
    }

    public Socket socket() {
        return socket;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing a test socket
        }
    }

    /** A parsed response. Header names are lower-cased for lookup. */
    public record Response(String statusLine, int status, java.util.List<String[]> headers, byte[] body) {
        static Response parseHead(String head) {
            String[] lines = head.split("\r\n");
            String[] sl = lines[0].split(" ", 3);
            java.util.List<String[]> hs = new java.util.ArrayList<>();
            for (int i = 1; i < lines.length; i++) {
                if (lines[i].isEmpty()) {
                    continue;
                }
                int c = lines[i].indexOf(':');
                hs.add(new String[] {lines[i].substring(0, c), lines[i].substring(c + 1).trim()});
            }
            return new Response(lines[0], Integer.parseInt(sl[1]), hs, new byte[0]);
        }

        Response withBody(byte[] b) {
            return new Response(statusLine, status, headers, b);
        }

        public String header(String name) {
            for (String[] h : headers) {
                if (h[0].equalsIgnoreCase(name)) {
                    return h[1];
                }
            }
            return null;
        }

        public String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }
}
