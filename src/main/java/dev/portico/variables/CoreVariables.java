package dev.portico.variables;

import dev.portico.Version;
import dev.portico.http.Exchange;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The variables of ngx_http_core_module and ngx_http_log_module: request, connection, time and
 * response facts. Registered once; each is a small function of the exchange.
 */
public final class CoreVariables {
    private static final DateTimeFormatter TIME_LOCAL = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH);
    private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssxxx", Locale.ENGLISH);
    private static final String HOSTNAME = hostname();
    private static final String PID = Long.toString(ProcessHandle.current().pid());

    private CoreVariables() {
    }

    /** Declares the variables this package computes. */
    public static void register(BuiltinVariables.Builder b) {
        b.builtin("host", ex -> ex.host().isEmpty() ? ex.server().primaryName() : ex.host());
        b.builtin("uri", Exchange::uri);
        b.builtin("document_uri", Exchange::uri);
        b.builtin("request_uri", Exchange::requestUri);
        // "set $args" changes the request's arguments
        b.settable("args", Exchange::args, Exchange::args);
        b.builtin("query_string", Exchange::args);
        b.builtin("is_args", ex -> ex.args() != null && !ex.args().isEmpty() ? "?" : "");
        // the request line as received (an absolute-form target stays whole here, unlike $request_uri)
        b.builtin("request", Exchange::requestLine);
        b.builtin("request_method", ex -> ex.main().method().name());
        b.builtin("scheme", ex -> ex.connection().isSecure() ? "https" : "http");
        b.builtin("https", ex -> ex.connection().isSecure() ? "on" : "");
        b.builtin("server_protocol", ex -> ex.request().protocolVersion().text());
        b.builtin("server_name", ex -> ex.server().primaryName());
        b.builtin("server_addr", CoreVariables::serverAddr);
        // nginx prints a port only when there is one: a unix socket gives an empty value
        b.builtin("server_port", ex -> port(ex.connection().localPort()));
        b.builtin("remote_addr", ex -> ex.remoteHost());
        b.builtin("proxy_protocol_addr", ex -> proxyProtocol(ex, true, true));
        b.builtin("proxy_protocol_port", ex -> proxyProtocol(ex, true, false));
        b.builtin("proxy_protocol_server_addr", ex -> proxyProtocol(ex, false, true));
        b.builtin("proxy_protocol_server_port", ex -> proxyProtocol(ex, false, false));
        b.prefixed("proxy_protocol_tlv_", name -> ex -> proxyProtocolTlv(ex, name));
        b.builtin("remote_port", ex -> port(ex.remotePort()));
        b.builtin("binary_remote_addr", CoreVariables::binaryRemoteAddr);
        b.builtin("remote_user", CoreVariables::remoteUser);
        b.builtin("content_length", ex -> ex.requestHeaders().get(HttpHeaderNames.CONTENT_LENGTH));
        b.builtin("content_type", ex -> ex.requestHeaders().get(HttpHeaderNames.CONTENT_TYPE));
        b.builtin("request_length", ex -> Long.toString(ex.requestLength()));
        b.builtin("request_time", ex -> seconds(System.nanoTime() - ex.startNanos()));
        b.builtin("msec", ex -> {
            long now = System.currentTimeMillis();
            return String.format(Locale.ROOT, "%d.%03d", now / 1000, now % 1000);
        });
        b.builtin("time_local", ex -> OffsetDateTime.now(ZoneId.systemDefault()).format(TIME_LOCAL));
        b.builtin("time_iso8601", ex -> OffsetDateTime.now(ZoneId.systemDefault()).format(ISO));
        b.builtin("status", ex -> String.format(Locale.ROOT, "%03d", status(ex)));
        // nginx: everything sent minus the response head, so chunk framing counts as body
        b.builtin("body_bytes_sent", ex -> Long.toString(Math.max(0, ex.bytesSent() - ex.headerBytes())));
        b.builtin("bytes_sent", ex -> Long.toString(ex.bytesSent()));
        b.builtin("connection", ex -> Long.toString(ex.connection().id()));
        // nginx 1.19.10+: seconds with milliseconds since the connection was accepted
        b.builtin("connection_time", ex -> seconds(System.nanoTime() - ex.connection().openedNanos()));
        b.builtin("connection_requests", ex -> Integer.toString(ex.connection().requests()));
        b.builtin("request_id", CoreVariables::requestId);
        b.builtin("hostname", ex -> HOSTNAME);
        b.builtin("portico_version", ex -> Version.PORTICO);
        b.builtin("nginx_version", ex -> Version.NGINX);
        b.builtin("pid", ex -> PID);
        b.builtin("request_completion", ex -> ex.responseDone() && !ex.isClosed() ? "OK" : "");
        b.builtin("pipe", ex -> ".");

        b.prefixed("http_", name -> {
            String var = name.toLowerCase(Locale.ROOT);
            String sep = var.equals("cookie") ? "; " : ", ";
            return ex -> requestHeader(ex.requestHeaders(), var, sep);
        });
        b.prefixed("sent_http_", name -> {
            String header = name.replace('_', '-');
            return ex -> {
                HttpResponse r = ex.responseHead();
                return r == null ? null : joined(r.headers(), header, ", ");
            };
        });
        b.prefixed("sent_trailer_", name -> {
            String trailer = name.replace('_', '-');
            return ex -> ex.sentTrailers() == null ? null : joined(ex.sentTrailers(), trailer, ", ");
        });
        b.prefixed("cookie_", name -> ex -> cookie(ex.requestHeaders().getAll(HttpHeaderNames.COOKIE), name));
        b.prefixed("arg_", name -> ex -> arg(ex.args(), name));
    }


    private static String joined(HttpHeaders h, String name, String sep) {
        java.util.List<String> all = h.getAll(name);
        if (all.isEmpty()) {
            return null;
        }
        return all.size() == 1 ? all.get(0) : String.join(sep, all);
    }

    /** nginx's $http_NAME lookup: case-insensitive, a "-" in the header name reads as "_" (so X_A and X-A both match). */
    static String requestHeader(HttpHeaders h, String var, String sep) {
        String first = null;
        StringBuilder more = null;
        for (java.util.Map.Entry<String, String> e : h) {
            String n = e.getKey();
            if (n.length() != var.length()) {
                continue;
            }
            boolean same = true;
            for (int i = 0; i < n.length() && same; i++) {
                char c = Character.toLowerCase(n.charAt(i));
                same = (c == '-' ? '_' : c) == var.charAt(i);
            }
            if (!same) {
                continue;
            }
            if (first == null) {
                first = e.getValue();
            } else {
                if (more == null) {
                    more = new StringBuilder(first);
                }
                more.append(sep).append(e.getValue());
            }
        }
        return more != null ? more.toString() : first;
    }

    static String seconds(long nanos) {
        long ms = Math.max(0, nanos / 1_000_000);
        return String.format(Locale.ROOT, "%d.%03d", ms / 1000, ms % 1000);
    }

    /** 4 bytes for IPv4, 16 for IPv6 (one char per byte); a unix socket client gives its text, "unix:", as nginx. */
    /** $proxy_protocol_addr and its kin: empty without a PROXY protocol header. */
    private static String proxyProtocol(Exchange ex, boolean source, boolean address) {
        var info = ex.connection().proxyProtocol();
        if (info == null) {
            return "";
        }
        String a = source ? info.sourceAddress() : info.destinationAddress();
        if (a == null) {
            return "";
        }
        return address ? a : Integer.toString(source ? info.sourcePort() : info.destinationPort());
    }

    /** nginx 1.23.2's TLV names, or the type as {@code 0xNN}. */
    private static final java.util.Map<String, Integer> TLV_NAMES = java.util.Map.of(
        "alpn", 0x01, "authority", 0x02, "unique_id", 0x05, "netns", 0x30, "ssl", 0x20);

    private static String proxyProtocolTlv(Exchange ex, String name) {
        var info = ex.connection().proxyProtocol();
        if (info == null) {
            return null;
        }
        String key = name.toLowerCase(Locale.ROOT);
        Integer type = TLV_NAMES.get(key);
        if (type == null && key.startsWith("0x") && key.length() > 2) {
            try {
                type = Integer.parseInt(key.substring(2), 16);
            } catch (NumberFormatException e) {
                return null;
            }
        }
        byte[] v = type == null ? null : info.tlvs().get(type);
        return v == null ? null : dev.portico.bytes.ByteStrings.of(v);
    }

    private static String binaryRemoteAddr(Exchange ex) {
        if (ex.remoteAddress() instanceof InetSocketAddress isa) {
            return new String(isa.getAddress().getAddress(), StandardCharsets.ISO_8859_1);
        }
        return ex.remoteHost();
    }

    /** The local address; for a unix socket nginx prints its path ("unix:/run/portico.sock"). */
    private static String serverAddr(Exchange ex) {
        SocketAddress a = ex.connection().localAddress();
        if (a instanceof DomainSocketAddress d) {
            return "unix:" + d.path();
        }
        if (a instanceof UnixDomainSocketAddress u) {
            return "unix:" + u.getPath();
        }
        return ex.connection().localHost();
    }

    private static String port(int port) {
        return port > 0 ? Integer.toString(port) : "";
    }

    /**
     * nginx's $status: the status error_page imposes (r->err_status), else the response status
     * (set by {@code return} before its text is evaluated), else 0 ("000").
     */
    private static int status(Exchange ex) {
        if (ex.status() != 0) {
            return ex.status();
        }
        return ex.statusOverride() > 0 ? ex.statusOverride() : ex.pendingStatus();
    }

    /**
     * {@code $remote_user}: the user name of Basic credentials, as ngx_http_auth_basic_user finds
     * it ("Basic " in any case, spaces skipped, base64, then up to the first ":"). Not found when
     * the header is missing, malformed or the name is empty. The name keeps its bytes (one char
     * per byte, as Netty reads headers), so logs and headers carry what the client sent.
     */
    private static String remoteUser(Exchange ex) {
        String auth = ex.requestHeaders().get(HttpHeaderNames.AUTHORIZATION);
        if (auth == null || auth.length() < 6 || !auth.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        int start = 6;
        while (start < auth.length() && auth.charAt(start) == ' ') {
            start++;
        }
        if (start == auth.length()) {
            return null;
        }
        try {
            String decoded = new String(Base64.getDecoder().decode(auth.substring(start)), StandardCharsets.ISO_8859_1);
            int colon = decoded.indexOf(':');
            return colon <= 0 ? null : decoded.substring(0, colon);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * {@code $cookie_NAME} as ngx_http_parse_multi_header_lines reads Cookie lines: pairs are
     * separated by ";" or ","; the first whose name matches case-insensitively (spaces allowed
     * before "=") gives its raw value, from after the spaces following "=" up to the next ";".
     * Quotes and trailing spaces are kept: nothing is unquoted or decoded.
     */
    static String cookie(List<String> lines, String name) {
        int n = name.length();
        for (String line : lines) {
            int end = line.length();
            int i = 0;
            while (i < end) {
                if (line.regionMatches(true, i, name, 0, n)) {
                    int j = i + n;
                    while (j < end && line.charAt(j) == ' ') {
                        j++;
                    }
                    if (j < end && line.charAt(j) == '=') {
                        j++;
                        while (j < end && line.charAt(j) == ' ') {
                            j++;
                        }
                        int semi = line.indexOf(';', j);
                        return line.substring(j, semi < 0 ? end : semi);
                    }
                }
                // skip to the next pair
                while (i < end) {
                    char c = line.charAt(i++);
                    if (c == ';' || c == ',') {
                        break;
                    }
                }
                while (i < end && line.charAt(i) == ' ') {
                    i++;
                }
            }
        }
        return null;
    }

    /**
     * {@code $arg_NAME}: the raw value of the first argument of that name (case-insensitive), not
     * decoded, as ngx_http_arg finds it: the name must start the query or follow "&" and be
     * followed by "=" (a bare {@code ?x} is not an argument {@code x}).
     */
    static String arg(String args, String name) {
        if (args == null || args.isEmpty() || name.isEmpty()) {
            return null;
        }
        int n = name.length();
        for (int i = 0; i + n < args.length(); i++) {
            if ((i == 0 || args.charAt(i - 1) == '&') && args.charAt(i + n) == '='
                && args.regionMatches(true, i, name, 0, n)) {
                int amp = args.indexOf('&', i + n + 1);
                return args.substring(i + n + 1, amp < 0 ? args.length() : amp);
            }
        }
        return null;
    }

    private static String requestId(Exchange ex) {
        RequestId id = ex.attachment(RequestId.class);
        if (id == null) {
            ThreadLocalRandom r = ThreadLocalRandom.current();
            id = new RequestId(String.format(Locale.ROOT, "%016x%016x", r.nextLong(), r.nextLong()));
            ex.attach(RequestId.class, id);
        }
        return id.value();
    }

    private record RequestId(String value) {
    }

    private static String hostname() {
        try {
            // nginx lower-cases gethostname()'s answer
            return InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT);
        } catch (java.net.UnknownHostException e) {
            return "localhost";
        }
    }
}
