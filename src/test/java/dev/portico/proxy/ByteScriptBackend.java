package dev.portico.proxy;

import dev.portico.testing.PortMap;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend that answers each request with bytes a test scripts exactly, including bytes that
 * no HTTP framing allows (a body longer than its Content-Length, data after the last chunk, a
 * body on a HEAD response, bytes sent while the connection is idle). Requests are read as heads
 * only (tests send no request bodies). Each answer is a list of pieces written with a flush and
 * a short pause between them, so that they reach Portico in separate reads.
 */
final class ByteScriptBackend implements AutoCloseable {
    /** The request a script answers: its line, and which connection and request number it came on. */
    record Request(String line, int connection, int number) {
        String method() {
            return line.substring(0, line.indexOf(' '));
        }

        String target() {
            return line.split(" ")[1];
        }
    }

    /** Bytes to send for a request: each piece is written and flushed on its own. */
    interface Script {
        List<byte[]> answer(Request r);
    }

    private final ServerSocket server;
    private final Script script;
    private final Thread acceptor;
    final AtomicInteger connections = new AtomicInteger();
    final BlockingQueue<Request> requests = new LinkedBlockingQueue<>();
    /** Connections whose peer (Portico) closed them, by number. */
    final BlockingQueue<Integer> closedByPeer = new LinkedBlockingQueue<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    private ByteScriptBackend(int port, Script script) throws IOException {
        this.script = script;
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        acceptor = new Thread(this::accept, "byte-script-backend");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    static ByteScriptBackend on(PortMap ports, int original, Script script) throws IOException {
        return new ByteScriptBackend(ports.get(original), script);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Writes raw bytes on an open connection (to send something while it is idle). */
    void sendOn(int connection, String text) throws IOException {
        OutputStream out = sockets.get(connection - 1).getOutputStream();
        out.write(bytes(text));
        out.flush();
    }

    /** Waits until Portico closes the numbered connection. */
    boolean awaitClosedByPeer(int connection, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            Integer c = closedByPeer.poll(left, TimeUnit.NANOSECONDS);
            if (c == null) {
                return false;
            }
            if (c == connection) {
                return true;
            }
        }
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                sockets.add(s);
                int n = connections.incrementAndGet();
                Thread t = new Thread(() -> serve(s, n), "byte-script-conn-" + n);
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s, int connection) {
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            for (int number = 1; ; number++) {
                String head = readHead(in);
                if (head == null) {
                    closedByPeer.add(connection);
                    return;
                }
                Request r = new Request(head.substring(0, head.indexOf('\r')), connection, number);
                requests.add(r);
                List<byte[]> pieces = script.answer(r);
                for (int i = 0; i < pieces.size(); i++) {
                    if (i > 0) {
                        // a separate TCP segment, read by Portico on its own
                        Thread.sleep(50);
                    }
                    out.write(pieces.get(i));
                    out.flush();
                }
            }
        } catch (IOException e) {
            closedByPeer.add(connection);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String readHead(InputStream in) throws IOException {
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
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
