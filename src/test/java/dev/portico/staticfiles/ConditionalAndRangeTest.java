package dev.portico.staticfiles;

import static org.assertj.core.api.Assertions.assertThat;

import dev.portico.testing.RawHttp;
import dev.portico.testing.TestPortico;
import io.netty.handler.codec.DateFormatter;
import java.nio.file.Files;
import java.nio.file.attribute.FileTime;
import java.util.Date;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConditionalAndRangeTest {
    private static final String BODY = "0123456789".repeat(10);
    /** 2024-01-02 03:04:05 UTC */
    private static final long MTIME = 1704164645L;
    private static final String ETAG = "\"" + Long.toHexString(MTIME) + "-64\"";
    private static final String LAST_MODIFIED = DateFormatter.format(new Date(MTIME * 1000));
    private static final String EARLIER = DateFormatter.format(new Date((MTIME - 60) * 1000));
    private static final String LATER = DateFormatter.format(new Date((MTIME + 60) * 1000));
    private static TestPortico p;

    @BeforeAll
    static void start() throws Exception {
        p = TestPortico.builder().conf("""
                events {}
                http {
                    server {
                        listen 127.0.0.1:8080;
                        location / { }
                        location /noetag/ { etag off; }
                        location /before/ { if_modified_since before; }
                        location /ims-off/ { if_modified_since off; }
                        location /one/ { max_ranges 1; }
                        location /none/ { max_ranges 0; }
                    }
                }
                """)
            .file("html/f.txt", BODY)
            .file("html/noetag/f.txt", BODY)
            .file("html/before/f.txt", BODY)
            .file("html/ims-off/f.txt", BODY)
            .file("html/one/f.txt", BODY)
            .file("html/none/f.txt", BODY)
            .start();
        for (String f : new String[] {"f.txt", "noetag/f.txt", "before/f.txt", "ims-off/f.txt", "one/f.txt", "none/f.txt"}) {
            Files.setLastModifiedTime(p.prefix().resolve("html/" + f), FileTime.fromMillis(MTIME * 1000));
        }
    }

    @AfterAll
    static void stop() {
        p.close();
    }

    private static RawHttp.Response get(String path, String headers) {
        try (RawHttp c = new RawHttp(p.port(8080))) {
            return c.send("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n" + headers + "\r\n").readResponse(false);
        }
    }

    @Test
    void validatorsHaveNginxFormat() {
        RawHttp.Response r = get("/f.txt", "");
        assertThat(r.header("ETag")).isEqualTo("\"65937d25-64\"").isEqualTo(ETAG);
        assertThat(r.header("Last-Modified")).isEqualTo("Tue, 02 Jan 2024 03:04:05 GMT");
    }

    @ParameterizedTest(name = "{0}: {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
        "/f.txt | If-None-Match: ETAG | 304",
        "/f.txt | If-None-Match: W/ETAG | 304",
        "/f.txt | If-None-Match: \"other\", ETAG | 304",
        "/f.txt | If-None-Match: * | 304",
        "/f.txt | If-None-Match: \"other\" | 200",
        "/f.txt | If-Modified-Since: LAST | 304",
        "/f.txt | If-Modified-Since: EARLIER | 200",
        "/f.txt | If-Modified-Since: LATER | 200",
        "/f.txt | If-Modified-Since: garbage | 200",
        "/f.txt | If-Modified-Since: Tue Jan  2 03:04:05 2024 | 304",
        "/f.txt | If-Modified-Since: Tuesday, 02-Jan-24 03:04:05 GMT | 304",
        "/f.txt | If-Modified-Since: tue, 02 jan 2024 03:04:05 gmt | 200",
        "/before/f.txt | If-Modified-Since: LATER | 304",
        "/before/f.txt | If-Modified-Since: EARLIER | 200",
        "/ims-off/f.txt | If-Modified-Since: LAST | 200",
        "/f.txt | If-None-Match: ETAG CRLF If-Modified-Since: EARLIER | 200",
        "/f.txt | If-None-Match: ETAG CRLF If-Modified-Since: LAST | 304",
        "/f.txt | If-Match: ETAG | 200",
        "/f.txt | If-Match: * | 200",
        "/f.txt | If-Match: \"other\" | 412",
        "/f.txt | If-Match: W/ETAG | 412",
        "/f.txt | If-Unmodified-Since: LAST | 200",
        "/f.txt | If-Unmodified-Since: LATER | 200",
        "/f.txt | If-Unmodified-Since: EARLIER | 412",
        "/f.txt | If-Unmodified-Since: garbage | 412",
        "/noetag/f.txt | If-None-Match: * | 200",
        "/noetag/f.txt | If-Match: * | 412",
        "/noetag/f.txt | If-Modified-Since: LAST | 304",
    })
    void conditionalHeadersDecideTheStatus(String path, String header, int status) {
        String h = header.replace("ETAG", ETAG).replace("LAST", LAST_MODIFIED).replace("EARLIER", EARLIER).replace("LATER", LATER)
            .replace(" CRLF ", "\r\n");
        RawHttp.Response r = get(path, h + "\r\n");
        assertThat(r.status()).isEqualTo(status);
        if (status == 200) {
            assertThat(r.bodyText()).isEqualTo(BODY);
        }
    }

    @Test
    void notModifiedKeepsValidatorsAndDropsEntityHeaders() {
        RawHttp.Response r = get("/f.txt", "If-None-Match: " + ETAG + "\r\n");
        assertThat(r.status()).isEqualTo(304);
        assertThat(r.header("ETag")).isEqualTo(ETAG);
        assertThat(r.header("Last-Modified")).isEqualTo(LAST_MODIFIED);
        assertThat(r.header("Content-Type")).isNull();
        assertThat(r.header("Content-Length")).isNull();
        assertThat(r.header("Accept-Ranges")).isNull();
    }

    @Test
    void etagOffSendsNoEtag() {
        RawHttp.Response r = get("/noetag/f.txt", "");
        assertThat(r.header("ETag")).isNull();
        assertThat(r.header("Last-Modified")).isEqualTo(LAST_MODIFIED);
    }

    @ParameterizedTest(name = "Range: {0} -> {1} {2}")
    @CsvSource(delimiter = '|', value = {
        "bytes=0-9 | 206 | bytes 0-9/100",
        "bytes=90- | 206 | bytes 90-99/100",
        "bytes=-5 | 206 | bytes 95-99/100",
        "bytes=-500 | 206 | bytes 0-99/100",
        "bytes=95-200 | 206 | bytes 95-99/100",
        "bytes= 5 - 6 | 206 | bytes 5-6/100",
        "BYTES=1-1 | 206 | bytes 1-1/100",
        "bytes=100- | 416 | bytes */100",
        "bytes=5-3 | 416 | bytes */100",
        "bytes=-0 | 416 | bytes */100",
        "bytes=abc | 416 | bytes */100",
        "bytes=1-2x | 416 | bytes */100",
        "bytes=200-300,0-1 | 206 | bytes 0-1/100",
        "items=0-5 | 200 | ''",
        "bytes=0-99,0-99 | 200 | ''",
        "bytes=0-0,-1 | 206 | multipart",
    })
    void rangeFormsAnswerAsNginx(String range, int status, String contentRange) {
        RawHttp.Response r = get("/f.txt", "Range: " + range + "\r\n");
        assertThat(r.status()).isEqualTo(status);
        if (status == 206 && !contentRange.equals("multipart")) {
            assertThat(r.header("Content-Range")).isEqualTo(contentRange);
            String[] se = contentRange.substring(6, contentRange.indexOf('/')).split("-");
            String part = BODY.substring(Integer.parseInt(se[0]), Integer.parseInt(se[1]) + 1);
            assertThat(r.bodyText()).isEqualTo(part);
            assertThat(r.header("Content-Length")).isEqualTo(Integer.toString(part.length()));
            assertThat(r.header("Accept-Ranges")).isNull();
        } else if (status == 416) {
            assertThat(r.header("Content-Range")).isEqualTo(contentRange);
            assertThat(r.bodyText()).contains("416 Requested Range Not Satisfiable");
        } else if (status == 200) {
            assertThat(r.bodyText()).isEqualTo(BODY);
            assertThat(r.header("Accept-Ranges")).isEqualTo("bytes");
        }
    }

    @Test
    void severalRangesComeAsMultipartByteranges() {
        RawHttp.Response r = get("/f.txt", "Range: bytes=0-0,-2,10-12\r\n");
        assertThat(r.status()).isEqualTo(206);
        String type = r.header("Content-Type");
        assertThat(type).startsWith("multipart/byteranges; boundary=");
        String boundary = type.substring(type.indexOf('=') + 1);
        String expected = "\r\n--" + boundary + "\r\nContent-Type: text/plain\r\nContent-Range: bytes 0-0/100\r\n\r\n0"
            + "\r\n--" + boundary + "\r\nContent-Type: text/plain\r\nContent-Range: bytes 98-99/100\r\n\r\n89"
            + "\r\n--" + boundary + "\r\nContent-Type: text/plain\r\nContent-Range: bytes 10-12/100\r\n\r\n012"
            + "\r\n--" + boundary + "--\r\n";
        assertThat(r.bodyText()).isEqualTo(expected);
        assertThat(r.header("Content-Length")).isEqualTo(Integer.toString(expected.length()));
    }

    @Test
    void multipartThroughTheChunkedPathIsIdentical() {
        FileResponse.forceChunked = true;
        try {
            RawHttp.Response r = get("/f.txt", "Range: bytes=0-0,-2\r\n");
            assertThat(r.status()).isEqualTo(206);
            assertThat(r.bodyText()).contains("bytes 98-99/100\r\n\r\n89\r\n--");
        } finally {
            FileResponse.forceChunked = false;
        }
    }

    @Test
    void maxRangesLimitsOrDisablesRanges() {
        assertThat(get("/one/f.txt", "Range: bytes=0-1\r\n").status()).isEqualTo(206);
        RawHttp.Response two = get("/one/f.txt", "Range: bytes=0-1,5-6\r\n");
        assertThat(two.status()).isEqualTo(200);
        RawHttp.Response none = get("/none/f.txt", "Range: bytes=0-1\r\n");
        assertThat(none.status()).isEqualTo(200);
        assertThat(none.header("Accept-Ranges")).isNull();
    }

    /** The file's time is Tue, 02 Jan 2024 03:04:05 GMT; dates are read as nginx's ngx_parse_http_time reads them. */
    @ParameterizedTest(name = "If-Range: {0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "ETAG | 206",
        "\"other\" | 200",
        "W/ETAG | 200",
        "LAST | 206",
        "EARLIER | 200",
        "LATER | 200",
        "Tuesday, 02-Jan-24 03:04:05 GMT | 206",
        "Tue Jan  2 03:04:05 2024 | 206",
        "Tue Jan 02 03:04:05 2024 | 206",
        "Sun, 02 Jan 2024 03:04:05 GMT | 206",
        "Tue, 02 Jan 2024 03:04:05 | 206",
        "Tue, 02 Jan 2024 03:04:05 UTC and more | 206",
        "Tue,02 Jan 2024 03:04:05 GMT | 206",
        "02 Jan 2024 03:04:05 GMT | 200",
        "Tue, 2 Jan 2024 03:04:05 GMT | 200",
        "tue, 02 jan 2024 03:04:05 gmt | 200",
        "Tue, 02 Jan 2024 3:04:05 GMT | 200",
        "Tue, 02-Jan-2024 03:04:05 GMT | 200",
        "Tue, 30 Feb 2024 03:04:05 GMT | 200",
        "garbage | 200",
    })
    void ifRangeNeedsTheCurrentValidator(String ifRange, int status) {
        String v = ifRange.replace("ETAG", ETAG).replace("LAST", LAST_MODIFIED).replace("EARLIER", EARLIER)
            .replace("LATER", LATER);
        RawHttp.Response r = get("/f.txt", "Range: bytes=0-1\r\nIf-Range: " + v + "\r\n");
        assertThat(r.status()).isEqualTo(status);
    }

    @Test
    void headWithRangeSendsPartialHeadersOnly() {
        try (RawHttp c = new RawHttp(p.port(8080))) {
            RawHttp.Response r = c.send("HEAD /f.txt HTTP/1.1\r\nHost: localhost\r\nRange: bytes=0-9\r\n\r\n").readResponse(true);
            assertThat(r.status()).isEqualTo(206);
            assertThat(r.header("Content-Length")).isEqualTo("10");
            RawHttp.Response next = c.send("GET /f.txt HTTP/1.1\r\nHost: localhost\r\nRange: bytes=0-1\r\n\r\n").readResponse(false);
            assertThat(next.bodyText()).isEqualTo("01");
        }
    }
}
