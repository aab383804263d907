package dev.portico.tls;

import dev.portico.observability.Errno;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Asks an OCSP responder as nginx does: {@code GET path/base64-request HTTP/1.0} with a
 * {@code Host} header, a minute's timeout, each address of the responder's name in turn until
 * one answers. Blocking sockets: called on the stapling fetch threads only, never on an event
 * loop. Each failed address is reported with nginx's wording.
 */
final class OcspClient {
    /** nginx's staple timeout: 60 seconds to connect, to send and between reads. */
    static final int TIMEOUT_MILLIS = 60_000;
    /** nginx reads a response into a 16 KiB buffer; what goes past it is not read. */
    private static final int LIMIT = 16384;
    private static final Pattern STATUS_LINE = Pattern.compile("HTTP/[1-9][0-9]*\\.[0-9]+ +([0-9]{3})(?:[ .].*)?");

    /** An answer: the HTTP status and body, and the address that gave it ({@code 127.0.0.1:80}). */
    record Reply(int status, byte[] body, String peer) {
    }

    /** Where failures go: the message and the peer it concerns (null before one is chosen). */
    interface Errors {
        void error(String message, String peer);
    }

    private OcspClient() {
    }

    /** The responder's answer to {@code request} (DER), or null when no address gave one. */
    static Reply fetch(ResponderUrl url, byte[] request, Errors errors) {
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(url.lookupName());
        } catch (UnknownHostException e) {
            errors.error(url.host() + " could not be resolved (3: Host not found)", null);
            return null;
        }
        byte[] head = requestHead(url, request);
        for (InetAddress a : addresses) {
            String peer = (a instanceof Inet6Address ? "[" + a.getHostAddress() + "]" : a.getHostAddress()) + ":" + url.port();
            Reply r = ask(a, url.port(), head, peer, errors);
            if (r != null) {
                return r;
            }
        }
        return null;
    }

    static byte[] requestHead(ResponderUrl url, byte[] request) {
        // the request in base64, escaped as a URI component, after the responder's path
        String encoded = URLEncoder.encode(Base64.getEncoder().encodeToString(request), StandardCharsets.US_ASCII);
        String path = url.path().endsWith("/") ? url.path() : url.path() + "/";
        return ("GET " + path + encoded + " HTTP/1.0\r\nHost: " + url.host() + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    private static Reply ask(InetAddress address, int port, byte[] head, String peer, Errors errors) {
        try (Socket s = new Socket()) {
            try {
                s.connect(new InetSocketAddress(address, port), TIMEOUT_MILLIS);
            } catch (SocketTimeoutException e) {
                errors.error("OCSP responder timed out (110: Connection timed out)", peer);
                return null;
            } catch (IOException e) {
                errors.error("connect() failed (" + Errno.of(e) + ")", peer);
                return null;
            }
            s.setSoTimeout(TIMEOUT_MILLIS);
            OutputStream out = s.getOutputStream();
            out.write(head);
            out.flush();
            return read(s.getInputStream(), peer, errors);
        } catch (SocketTimeoutException e) {
            errors.error("OCSP responder timed out (110: Connection timed out)", peer);
        } catch (IOException e) {
            errors.error("recv() failed (" + Errno.of(e) + ")", peer);
        }
        return null;
    }

    /** Status line and headers as nginx's parser takes them, then the body up to the close (or Content-Length). */
    private static Reply read(InputStream in, String peer, Errors errors) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        int headEnd = -1;
        long length = -1;
        int status = 0;
        while (got.size() < LIMIT) {
            int n = in.read(buf, 0, Math.min(buf.length, LIMIT - got.size()));
            if (n < 0) {
                break;
            }
            got.write(buf, 0, n);
            if (headEnd < 0) {
                byte[] all = got.toByteArray();
                headEnd = headerEnd(all);
                if (headEnd >= 0) {
                    String[] lines = new String(all, 0, headEnd, StandardCharsets.ISO_8859_1).replace("\r", "").split("\n");
                    Matcher m = STATUS_LINE.matcher(lines[0]);
                    if (!m.matches()) {
                        errors.error("OCSP responder sent invalid response", peer);
                        return null;
                    }
                    status = Integer.parseInt(m.group(1));
                    for (int i = 1; i < lines.length; i++) {
                        int colon = lines[i].indexOf(':');
                        if (colon <= 0) {
                            errors.error("OCSP responder sent invalid response", peer);
                            return null;
                        }
                        String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
                        String value = lines[i].substring(colon + 1).trim();
                        if (name.equals("content-type") && !value.equalsIgnoreCase("application/ocsp-response")) {
                            errors.error("OCSP responder sent invalid \"Content-Type\" header: \"" + value + "\"", peer);
                            return null;
                        }
                        if (name.equals("content-length")) {
                            try {
                                length = Long.parseLong(value);
                            } catch (NumberFormatException e) {
                                length = -1;
                            }
                        }
                    }
                }
            }
            // nginx reads to the close; a length lets a responder that keeps the connection open be done with
            if (headEnd >= 0 && length >= 0 && got.size() - bodyStart(got.toByteArray(), headEnd) >= length) {
                break;
            }
        }
        byte[] all = got.toByteArray();
        if (headEnd < 0) {
            errors.error(all.length >= LIMIT ? "OCSP responder sent invalid response" : "OCSP responder prematurely closed connection", peer);
            return null;
        }
        int start = bodyStart(all, headEnd);
        int end = length >= 0 ? (int) Math.min(all.length, start + length) : all.length;
        return new Reply(status, Arrays.copyOfRange(all, start, end), peer);
    }

    /** Where the empty line ending the header starts, or -1 while it has not come. */
    private static int headerEnd(byte[] b) {
        for (int i = 0; i + 1 < b.length; i++) {
            if (b[i] == '\n' && (b[i + 1] == '\n' || b[i + 1] == '\r' && i + 2 < b.length && b[i + 2] == '\n')) {
                return i;
            }
        }
        return -1;
    }

    private static int bodyStart(byte[] b, int headEnd) {
        return b[headEnd + 1] == '\n' ? headEnd + 2 : headEnd + 3;
    }
}
