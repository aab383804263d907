package dev.portico.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The small built-in HTML pages sent for errors and redirects, shaped like nginx's. They name
 * only the status and the server software, never anything about a backend.
 */
public final class ErrorPages {
    private static final Map<Integer, String> REASONS = new HashMap<>();

    static {
        REASONS.put(301, "Moved Permanently");
        REASONS.put(302, "Found");
        REASONS.put(303, "See Other");
        REASONS.put(307, "Temporary Redirect");
        REASONS.put(308, "Permanent Redirect");
        REASONS.put(400, "Bad Request");
        REASONS.put(401, "Authorization Required");
        REASONS.put(402, "Payment Required");
        REASONS.put(403, "Forbidden");
        REASONS.put(404, "Not Found");
        REASONS.put(405, "Not Allowed");
        REASONS.put(406, "Not Acceptable");
        REASONS.put(408, "Request Time-out");
        REASONS.put(409, "Conflict");
        REASONS.put(410, "Gone");
        REASONS.put(411, "Length Required");
        REASONS.put(412, "Precondition Failed");
        REASONS.put(413, "Request Entity Too Large");
        REASONS.put(414, "Request-URI Too Large");
        REASONS.put(415, "Unsupported Media Type");
        REASONS.put(416, "Requested Range Not Satisfiable");
        REASONS.put(421, "Misdirected Request");
        REASONS.put(429, "Too Many Requests");
        REASONS.put(494, "Request Header Or Cookie Too Large");
        REASONS.put(500, "Internal Server Error");
        REASONS.put(501, "Not Implemented");
        REASONS.put(502, "Bad Gateway");
        REASONS.put(503, "Service Temporarily Unavailable");
        REASONS.put(504, "Gateway Time-out");
        REASONS.put(505, "HTTP Version Not Supported");
        REASONS.put(507, "Insufficient Storage");
    }

    private ErrorPages() {
    }

    /** True for the statuses that have a built-in page. */
    public static boolean hasPage(int status) {
        return status >= 300 && REASONS.containsKey(status) && status != 304;
    }

    /** The status line's reason phrase as sent on the wire (nginx uses the standard phrases there). */
    public static HttpResponseStatus status(int code) {
        if (code == 494) {
            return HttpResponseStatus.BAD_REQUEST;
        }
        return HttpResponseStatus.valueOf(code);
    }

    /** The HTML body for a status; {@code tokens} is the Server line text, e.g. "portico/0.1.0". */
    public static byte[] page(int status, String serverText) {
        String title = status == 494 ? "400 Request Header Or Cookie Too Large"
            : status + " " + REASONS.getOrDefault(status, HttpResponseStatus.valueOf(status).reasonPhrase());
        String head = status == 494 ? "400 Bad Request</h1></center>\r\n<center>Request Header Or Cookie Too Large"
            : title;
        String body = "<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n<center><h1>" + head
            + (status == 494 ? "</center>\r\n" : "</h1></center>\r\n")
            + "<hr><center>" + serverText + "</center>\r\n</body>\r\n</html>\r\n";
        return body.getBytes(StandardCharsets.US_ASCII);
    }
}
