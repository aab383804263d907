package dev.portico.staticfiles;

import dev.portico.bytes.ByteStrings;
import dev.portico.http.UriEscape;
import io.netty.handler.codec.DateFormatter;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.List;
import java.util.Locale;

/**
 * Renders a directory listing in nginx's layouts: the HTML page (names padded to 50 columns,
 * longer ones cut with "..&gt;", date, size), JSON / JSONP, or XML. Directories come first, then
 * names in byte order.
 */
record AutoIndexPage(AutoIndex.Format format, String uri, boolean exactSize, boolean localtime, boolean utf8,
                     String callback) {
    private static final int NAME_LEN = 50;
    private static final String[] MONTHS = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

    /** Directories first, then by the bytes of the name (nginx sorts with strcmp). */
    static final Comparator<AutoIndex.Entry> ORDER = (a, b) -> {
        if (a.dir() != b.dir()) {
            return a.dir() ? -1 : 1;
        }
        return compareBytes(a.name().getBytes(StandardCharsets.UTF_8), b.name().getBytes(StandardCharsets.UTF_8));
    };

    byte[] render(List<AutoIndex.Entry> unsorted) {
        List<AutoIndex.Entry> entries = new ArrayList<>(unsorted);
        entries.sort(ORDER);
        String text = switch (format) {
            case JSON, JSONP -> json(entries);
            case XML -> xml(entries);
            default -> html(entries);
        };
        // the page is a byte string: the URI and callback as received, file names as their UTF-8 bytes
        return ByteStrings.bytes(text);
    }

    private String html(List<AutoIndex.Entry> entries) {
        StringBuilder b = new StringBuilder(256 + entries.size() * 120);
        String title = escapeHtml(uri);
        b.append("<html>\r\n<head><title>Index of ").append(title).append("</title></head>\r\n<body>\r\n<h1>Index of ")
            .append(title).append("</h1><hr><pre><a href=\"../\">../</a>\r\n");
        ZoneOffset offset = localtime ? ZoneId.systemDefault().getRules().getOffset(Instant.now()) : ZoneOffset.UTC;
        for (AutoIndex.Entry e : entries) {
            b.append("<a href=\"").append(UriEscape.escapeText(e.name(), UriEscape.Mode.URI_COMPONENT));
            if (e.dir()) {
                b.append('/');
            }
            b.append("\">");
            // the name's width: characters when the page is UTF-8, else bytes
            int len = utf8 ? e.name().codePointCount(0, e.name().length()) : e.name().getBytes(StandardCharsets.UTF_8).length;
            int shown = len > NAME_LEN ? NAME_LEN - 3 : len;
            b.append(escapeHtml(ByteStrings.fromText(prefix(e.name(), shown))));
            if (len > NAME_LEN) {
                b.append("..&gt;</a>");
            } else {
                if (e.dir() && NAME_LEN - len > 0) {
                    b.append('/');
                    len++;
                }
                b.append("</a>");
                b.append(" ".repeat(Math.max(0, NAME_LEN - len)));
            }
            b.append(' ');
            LocalDateTime t = LocalDateTime.ofEpochSecond(e.mtimeSeconds(), 0, offset);
            b.append(String.format(Locale.ROOT, "%02d-%s-%d %02d:%02d ", t.getDayOfMonth(), MONTHS[t.getMonthValue() - 1],
                t.getYear(), t.getHour(), t.getMinute()));
            if (exactSize) {
                b.append(e.dir() ? "                  -" : String.format(Locale.ROOT, "%19d", e.size()));
            } else if (e.dir()) {
                b.append("      -");
            } else {
                b.append(humanSize(e.size()));
            }
            b.append("\r\n");
        }
        b.append("</pre><hr></body>\r\n</html>\r\n");
        return b.toString();
    }

    /** nginx's rounded sizes: bytes up to 9999, then K, M and G, rounding half up. */
    static String humanSize(long length) {
        long size;
        char scale;
        if (length > 1024L * 1024 * 1024 - 1) {
            size = length / (1024L * 1024 * 1024) + ((length % (1024L * 1024 * 1024)) > (1024L * 1024 * 1024 / 2 - 1) ? 1 : 0);
            scale = 'G';
        } else if (length > 1024 * 1024 - 1) {
            size = length / (1024 * 1024) + ((length % (1024 * 1024)) > (1024 * 1024 / 2 - 1) ? 1 : 0);
            scale = 'M';
        } else if (length > 9999) {
            size = length / 1024 + (length % 1024 > 511 ? 1 : 0);
            scale = 'K';
        } else {
            return String.format(Locale.ROOT, " %6d", length);
        }
        return String.format(Locale.ROOT, "%6d%c", size, scale);
    }

    private String json(List<AutoIndex.Entry> entries) {
        StringBuilder b = new StringBuilder(64 + entries.size() * 100);
        if (callback != null) {
            b.append("/* callback */\r\n").append(callback).append('(');
        }
        b.append('[');
        for (int i = 0; i < entries.size(); i++) {
            AutoIndex.Entry e = entries.get(i);
            b.append(i == 0 ? "\r\n" : ",\r\n");
            b.append("{ \"name\":\"").append(escapeJson(ByteStrings.fromText(e.name()))).append("\", \"type\":\"").append(type(e))
                .append("\", \"mtime\":\"").append(DateFormatter.format(new Date(e.mtimeSeconds() * 1000)));
            if (e.file()) {
                b.append("\", \"size\":").append(e.size());
            } else {
                b.append('"');
            }
            b.append(" }");
        }
        b.append("\r\n]");
        if (callback != null) {
            b.append(");");
        }
        return b.toString();
    }

    private String xml(List<AutoIndex.Entry> entries) {
        StringBuilder b = new StringBuilder(64 + entries.size() * 100);
        b.append("<?xml version=\"1.0\"?>\r\n<list>\r\n");
        for (AutoIndex.Entry e : entries) {
            String type = type(e);
            LocalDateTime t = LocalDateTime.ofEpochSecond(e.mtimeSeconds(), 0, ZoneOffset.UTC);
            b.append('<').append(type).append(" mtime=\"").append(String.format(Locale.ROOT, "%4d-%02d-%02dT%02d:%02d:%02dZ",
                t.getYear(), t.getMonthValue(), t.getDayOfMonth(), t.getHour(), t.getMinute(), t.getSecond()));
            if (e.file()) {
                b.append("\" size=\"").append(e.size());
            }
            b.append("\">").append(escapeHtml(ByteStrings.fromText(e.name()))).append("</").append(type).append(">\r\n");
        }
        b.append("</list>\r\n");
        return b.toString();
    }

    private static String type(AutoIndex.Entry e) {
        return e.dir() ? "directory" : e.file() ? "file" : "other";
    }

    /** The first {@code n} characters (code points when the page is UTF-8, bytes otherwise, never splitting a character). */
    private String prefix(String name, int n) {
        if (utf8) {
            int count = name.codePointCount(0, name.length());
            return n >= count ? name : name.substring(0, name.offsetByCodePoints(0, n));
        }
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        if (n >= bytes.length) {
            return name;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(n);
        out.write(bytes, 0, n);
        return out.toString(StandardCharsets.UTF_8);
    }

    static String escapeHtml(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String rep = switch (c) {
                case '<' -> "&lt;";
                case '>' -> "&gt;";
                case '&' -> "&amp;";
                case '"' -> "&quot;";
                default -> null;
            };
            if (rep != null && b == null) {
                b = new StringBuilder(s.length() + 16).append(s, 0, i);
            }
            if (b != null) {
                if (rep != null) {
                    b.append(rep);
                } else {
                    b.append(c);
                }
            }
        }
        return b == null ? s : b.toString();
    }

    private static String escapeJson(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"', '\\' -> b.append('\\').append(c);
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format(Locale.ROOT, "\\u%04X", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }

    private static int compareBytes(byte[] a, byte[] b) {
        int n = Math.min(a.length, b.length);
        for (int i = 0; i < n; i++) {
            int d = (a[i] & 0xff) - (b[i] & 0xff);
            if (d != 0) {
                return d;
            }
        }
        return a.length - b.length;
    }
}
