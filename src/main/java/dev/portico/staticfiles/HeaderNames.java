package dev.portico.staticfiles;

/** Response header names in canonical case (Netty's HttpHeaderNames are lower case, which the wire would show). */
final class HeaderNames {
    static final String CONTENT_TYPE = "Content-Type";
    static final String CONTENT_LENGTH = "Content-Length";
    static final String CONTENT_RANGE = "Content-Range";
    static final String LAST_MODIFIED = "Last-Modified";
    static final String ETAG = "ETag";
    static final String ACCEPT_RANGES = "Accept-Ranges";

    private HeaderNames() {
    }
}
