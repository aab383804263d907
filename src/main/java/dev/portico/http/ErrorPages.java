package dev.portico.http;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The status lines and the small built-in HTML pages sent for errors and redirects, byte for byte
 * as nginx sends them with "portico" in place of "nginx". They name only the status and the
 * server software, never anything about a backend.
 */
public final class ErrorPages {
    /** nginx's status line texts (ngx_http_status_lines). */
    private static final Map<Integer, String> STATUS_LINES = new HashMap<>();
    /** The page title where it differs from the status line text. */
    private static final Map<Integer, String> PAGE_TITLES = new HashMap<>();
    private static final Map<Integer, HttpResponseStatus> STATUSES = new HashMap<>();

    static {
        String[][] lines = {
            {"200", "OK"}, {"201", "Created"}, {"202", "Accepted"}, {"204", "No Content"}, {"206", "Partial Content"},
            {"301", "Moved Permanently"}, {"302", "Moved Temporarily"}, {"303", "See Other"}, {"304", "Not Modified"},
            {"307", "Temporary Redirect"}, {"308", "Permanent Redirect"},
            {"400", "Bad Request"}, {"401", "Unauthorized"}, {"402", "Payment Required"}, {"403", "Forbidden"},
            {"404", "Not Found"}, {"405", "Not Allowed"}, {"406", "Not Acceptable"}, {"408", "Request Time-out"},
            {"409", "Conflict"}, {"410", "Gone"}, {"411", "Length Required"}, {"412", "Precondition Failed"},
            {"413", "Request Entity Too Large"}, {"414", "Request-URI Too Large"}, {"415", "Unsupported Media Type"},
            {"416", "Requested Range Not Satisfiable"}, {"421", "Misdirected Request"}, {"429", "Too Many Requests"},
            {"500", "Internal Server Error"}, {"501", "Not Implemented"}, {"502", "Bad Gateway"},
            {"503", "Service Temporarily Unavailable"}, {"504", "Gateway Time-out"}, {"505", "HTTP Version Not Supported"},
            {"507", "Insufficient Storage"},
        };
        for (String[] l : lines) {
            STATUS_LINES.put(Integer.parseInt(l[0]), l[1]);
        }
        PAGE_TITLES.put(302, "Found");
        PAGE_TITLES.put(401, "Authorization Required");
        // nginx's own codes, sent as 400 with a page that says what was wrong
        PAGE_TITLES.put(494, "Request Header Or Cookie Too Large");
        PAGE_TITLES.put(495, "The SSL certificate error");
        PAGE_TITLES.put(496, "No required SSL certificate was sent");
        PAGE_TITLES.put(497, "The plain HTTP request was sent to HTTPS port");
        for (Map.Entry<Integer, String> e : STATUS_LINES.entrySet()) {
            STATUSES.put(e.getKey(), new HttpResponseStatus(e.getKey(), e.getValue()));
        }
    }

    private ErrorPages() {
    }

    /** True for the statuses that have a built-in page (nginx: 301-308 except 304, and the 4xx/5xx it knows). */
    public static boolean hasPage(int status) {
        return status >= 301 && status != 304 && status != 305 && status != 306
            && (STATUS_LINES.containsKey(status) || PAGE_TITLES.containsKey(status));
    }

    /** The status line as sent on the wire: nginx's reason phrase; 494-497 go out as 400. */
    public static HttpResponseStatus status(int code) {
        if (code >= 494 && code <= 497) {
            code = 400;
        }
        HttpResponseStatus s = STATUSES.get(code);
        // nginx writes an unknown status as the bare number
        return s != null ? s : new HttpResponseStatus(code, "");
    }

    /** The HTML body for a status; {@code serverText} is the Server line text, e.g. "portico/0.1.0". */
    public static byte[] page(int status, String serverText) {
        StringBuilder b = new StringBuilder(200).append("<html>\r\n<head><title>");
        if (status >= 494 && status <= 497) {
            b.append("400 ").append(PAGE_TITLES.get(status)).append("</title></head>\r\n<body>\r\n")
                .append("<center><h1>400 Bad Request</h1></center>\r\n")
                .append("<center>").append(PAGE_TITLES.get(status)).append("</center>\r\n");
        } else {
            String title = status + " " + PAGE_TITLES.getOrDefault(status, STATUS_LINES.getOrDefault(status, ""));
            b.append(title).append("</title></head>\r\n<body>\r\n<center><h1>").append(title).append("</h1></center>\r\n");
        }
        b.append("<hr><center>").append(serverText).append("</center>\r\n</body>\r\n</html>\r\n");
        return b.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
