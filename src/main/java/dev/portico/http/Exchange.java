package dev.portico.http;

import dev.portico.config.directive.Settings;
import dev.portico.core.Snapshot;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;

/**
 * One request and its response: what the phases and handlers read and change (URI, location,
 * variables), the body flow from the client, and the response path back. Lives on the client
 * connection's event loop; nothing in it is thread-safe.
 */
public final class Exchange {
    private final Snapshot snapshot;
    private final HttpConf http;
    private final ClientConnection connection;
    /** The protocol side this exchange talks to the client through. */
    private final ClientSide client;
    private final HttpRequest request;
    private final String requestUri;
    /** When the request's first byte arrived ($request_time counts from there, as nginx). */
    private final long startNanos;
    private final long startMillis;
    private final String[] vars;
    /** The request this one is a subrequest of; null for a client's request. */
    private final Exchange parent;

    private VirtualServer server;
    private String host = "";
    private Location location;
    private String uri;
    private String args;
    private String[] captures;
    private Map<String, String> namedCaptures;
    private final Map<Class<?>, Object> attachments = new HashMap<>(4);
    private int redirectsLeft = 11;
    private int uriChanges;
    private boolean locationValid = true;
    private boolean uriChanged;
    private int statusOverride;
    /** Where {@link RequestProcessor} is in the location's phases (so a suspended handler can resume). */
    Phase phase;
    int phaseHandler;
    /** A denial under {@code satisfy any} that a later access handler may still overrule (nginx's access_code). */
    int accessCode;
    /** What counts a denial in {@link #accessCode}: run only if nothing overrules it (see {@link #ifAccessRefused}). */
    java.util.List<Runnable> accessRefusals;
    /** nginx's r->headers_out.status before the head is built: {@code return} sets it before evaluating its text. */
    private int pendingStatus;
    /**
     * nginx's r->headers_out.location: the target of a redirect this request made, which stays
     * through the internal redirect of an {@code error_page} (its page goes out with it) until a
     * later redirect replaces it. Made absolute when the head is written.
     */
    private String redirectTarget;
    /**
     * Fields of a backend's head that an {@code X-Accel-Redirect} keeps for the response of the
     * redirected request (nginx leaves them in r->headers_out); Content-Type is read by the
     * handlers that choose a type only when none is set ({@link #presetContentType}).
     */
    private HttpHeaders carriedFields;

    // request body
    private final boolean hasBody;
    private boolean bodyComplete;
    /** The body's last byte was read from the client (false when it was cut short: 413, 408, a bad chunk). */
    private boolean bodyFullyRead;
    private long bodyBytesReceived;
    private RequestBodyHandler bodyHandler;
    private ArrayDeque<HttpContent> pendingBody;

    // response
    private boolean keepAlive;
    private HttpResponse responseHead;
    private int status;
    private long bodyBytesSent;
    private long headerBytes;
    private final LimitRate limitRate = new LimitRate();
    /** The connection's count of bytes sent when this exchange began. */
    private final long sentBase;
    private boolean responseDone;
    private boolean closed;

    Exchange(Snapshot snapshot, ClientConnection connection, ClientSide client, HttpRequest request, String requestUri, String path, String args, boolean hasBody, boolean keepAlive,
             long startNanos) {
        this(snapshot, connection, client, request, requestUri, path, args, hasBody, keepAlive, startNanos, null, null);
    }

    /**
     * A subrequest of {@code parent} ({@code auth_request}): the same connection, server, client
     * address and variables (nginx shares them), its own URI, no body, and a response that goes
     * to {@code side} instead of the client. It may enter internal locations; as nginx's
     * {@code valid_unparsed_uri} is unset, a proxy passes its URI, not the client's.
     */
    Exchange(Exchange parent, ClientSide side, HttpRequest request, String path, String args) {
        this(parent.snapshot, parent.connection, side, request, parent.requestUri, path, args, false, parent.keepAlive,
            System.nanoTime(), parent.vars, parent);
        this.server = parent.server;
        this.host = parent.host;
        this.realRemote = parent.realRemote;
        this.uriChanges = 1;
        markInternal();
    }

    private Exchange(Snapshot snapshot, ClientConnection connection, ClientSide client, HttpRequest request, String requestUri,
                     String path, String args, boolean hasBody, boolean keepAlive, long startNanos, String[] sharedVars,
                     Exchange parent) {
        this.parent = parent;
        this.snapshot = snapshot;
        this.connection = connection;
        this.client = client;
        this.request = request;
        this.requestUri = requestUri;
        this.uri = path;
        this.args = args;
        this.hasBody = hasBody;
        this.bodyComplete = !hasBody;
        this.bodyFullyRead = !hasBody;
        this.keepAlive = keepAlive;
        this.http = HttpConf.of(snapshot);
        this.vars = sharedVars != null ? sharedVars : new String[http.settableVariables()];
        this.sentBase = client.bytesSent();
        this.startNanos = startNanos;
        this.startMillis = System.currentTimeMillis() - (System.nanoTime() - startNanos) / 1_000_000;
    }

    // ---- what the request is ----

    public Snapshot snapshot() {
        return snapshot;
    }

    /** The client's request this exchange serves: itself, or the request a subrequest was made for (nginx's r->main). */
    public Exchange main() {
        return parent == null ? this : parent.main();
    }

    /** True for a subrequest ({@code auth_request}): it skips the pre-access and access phases and is not logged. */
    public boolean isSubrequest() {
        return parent != null;
    }

    /** The client address set by the real-IP module (null: the connection's peer). */
    private java.net.InetSocketAddress realRemote;

    /** The client's address as this request sees it: the real one when the real-IP module set it, else the connection's peer. */
    public java.net.SocketAddress remoteAddress() {
        return realRemote != null ? realRemote : connection.remoteAddress();
    }

    /** {@link #remoteAddress()} as text ("::1", "unix:"), as nginx writes {@code $remote_addr}. */
    public String remoteHost() {
        return realRemote != null ? ListenSpec.text(realRemote.getAddress()) : connection.remoteHost();
    }

    public int remotePort() {
        return realRemote != null ? realRemote.getPort() : connection.remotePort();
    }

    /** The real-IP module's answer: the client behind a trusted proxy. */
    public void realRemote(java.net.InetSocketAddress address) {
        this.realRemote = address;
    }

    /** True once the real-IP module replaced the address. */
    public boolean hasRealRemote() {
        return realRemote != null;
    }

    /** The protocol side this exchange writes through. */
    ClientSide clientSide() {
        return client;
    }

    /** The compiled http block this exchange runs under. */
    HttpConf httpConf() {
        return http;
    }

    /** What the modules contribute to request processing (filters, log phase, error pages). */
    public RequestPipeline pipeline() {
        return http.pipeline();
    }

    public ClientConnection connection() {
        return connection;
    }

    /** The event loop this exchange runs on: continue work there after anything asynchronous. */
    public io.netty.channel.EventLoop eventLoop() {
        return client.eventLoop();
    }

    /** The client connection's allocator (pooled buffers). */
    public io.netty.buffer.ByteBufAllocator alloc() {
        return client.alloc();
    }

    /** Sends what was written without flushing. */
    public void flush() {
        client.flush();
    }

    /** Response bytes written and not yet taken by the client's socket. */
    public long pendingBytes() {
        return client.pendingBytes();
    }

    /** True when the client side can send a file as a {@code FileRegion} (sendfile); else file chunks. */
    public boolean takesFileRegions() {
        return client.takesFileRegions();
    }

    /** The channel a tunnel relays once the protocol has been switched ({@link #switchProtocols}). */
    public io.netty.channel.Channel tunnelChannel() {
        return client.tunnelChannel();
    }

    public HttpRequest request() {
        return request;
    }

    public HttpHeaders requestHeaders() {
        return request.headers();
    }

    public HttpMethod method() {
        return request.method();
    }

    public boolean isHead() {
        return request.method() == HttpMethod.HEAD;
    }

    /** {@code $request}: the request line as received (for a refused one, its bytes up to CR or LF). */
    public String requestLine() {
        if (parent != null) {
            return parent.requestLine();
        }
        if (request instanceof StrictRequestDecoder.ReceivedRequest r && r.line != null) {
            return r.line;
        }
        return method().name() + ' ' + request.uri() + ' ' + request.protocolVersion().text();
    }

    /** The request target exactly as received ({@code $request_uri}). */
    public String requestUri() {
        return requestUri;
    }

    /** The normalised, decoded path, changed by rewrites ({@code $uri}). */
    public String uri() {
        return uri;
    }

    /** Changes {@code $uri} (a rewrite); the original request target is then no longer passed as is. */
    public void uri(String newUri) {
        this.uri = newUri;
        uriChanges++;
    }

    /** How many times the URI was changed by rewrites or redirects (nginx's "valid_unparsed_uri" is this being 0). */
    public int uriChanges() {
        return uriChanges;
    }

    /**
     * False after {@code rewrite ... break} changed the URI in the current location (nginx's
     * {@code r->valid_location}): a {@code proxy_pass} URI part then no longer replaces the location prefix.
     */
    public boolean locationValid() {
        return locationValid;
    }

    void locationValid(boolean valid) {
        this.locationValid = valid;
    }

    /** True once the request went through an internal redirect (error_page, try_files, named location...). */
    public boolean isInternal() {
        return attachment(RequestProcessor.Internal.class) != null;
    }

    /** The query string without "?" ({@code $args}), or {@code null} when none. */
    public String args() {
        return args;
    }

    public void args(String newArgs) {
        this.args = newArgs;
    }

    public String host() {
        return host;
    }

    void host(String h) {
        this.host = h;
    }

    public VirtualServer server() {
        return server;
    }

    void server(VirtualServer s) {
        this.server = s;
    }

    public Location location() {
        return location;
    }

    public void location(Location l) {
        this.location = l;
    }

    /** The settings in force: the location's, or the server's before a location is found. */
    public Settings settings() {
        return location != null ? location.settings() : server.settings();
    }

    /** Bytes of the request as received: line, headers and body so far ({@code $request_length}). */
    public long requestLength() {
        if (request instanceof StrictRequestDecoder.ReceivedRequest r) {
            return r.headBytes + bodyBytesReceived;
        }
        // a head refused before Netty parsed it: an estimate from what was understood of it
        long n = request.method().name().length() + request.uri().length() + 12;
        for (Map.Entry<String, String> e : request.headers()) {
            n += e.getKey().length() + e.getValue().length() + 4;
        }
        return n + 2 + bodyBytesReceived;
    }

    public long startNanos() {
        return startNanos;
    }

    public long startMillis() {
        return startMillis;
    }

    // ---- variables ----

    public String settableVariable(int i) {
        return vars[i];
    }

    public void settableVariable(int i, String value) {
        vars[i] = value;
    }

    /** Remembers the groups of the last successful regex match, for {@code $1..$9} and named captures. */
    public void captures(Matcher m) {
        if (m == null) {
            return;
        }
        String[] c = new String[m.groupCount() + 1];
        for (int i = 0; i <= m.groupCount(); i++) {
            c[i] = m.group(i);
        }
        captures = c;
        String[] names = RegexSupport.groupNames(m.pattern());
        for (int i = 1; i < names.length && i <= m.groupCount(); i++) {
            if (names[i] != null) {
                if (namedCaptures == null) {
                    namedCaptures = new HashMap<>();
                }
                namedCaptures.put(names[i].toLowerCase(), m.group(i));
            }
        }
    }

    /** Forgets the positional captures, as nginx does when a rewrite-module regex does not match. */
    public void clearCaptures() {
        captures = null;
    }

    public String capture(int n) {
        return captures != null && n < captures.length ? captures[n] : null;
    }

    public String namedCapture(String name) {
        return namedCaptures == null ? null : namedCaptures.get(name.toLowerCase());
    }

    public boolean hasNamedCapture(String name) {
        return namedCaptures != null && namedCaptures.containsKey(name.toLowerCase());
    }

    /** Per-request state of a feature package (e.g. the upstream attempt's timings). */
    public <T> T attachment(Class<T> type) {
        return type.cast(attachments.get(type));
    }

    public <T> void attach(Class<T> type, T value) {
        attachments.put(type, value);
    }

    // ---- internal redirects ----

    /** Counts an internal redirect or a {@code rewrite ... last}; false once nginx's limit of 10 is passed. */
    public boolean countRedirect() {
        return --redirectsLeft > 0;
    }

    /**
     * nginx's {@code r->uri_changed}: a {@code rewrite} without flag changed the URI, so the
     * location is searched again once the location's rewrite statements have run.
     */
    public boolean uriChanged() {
        return uriChanged;
    }

    public void uriChanged(boolean changed) {
        this.uriChanged = changed;
    }

    /** Lets this request enter {@code internal} locations (after a rewrite, as nginx's {@code r->internal}). */
    public void markInternal() {
        attach(RequestProcessor.Internal.class, RequestProcessor.Internal.YES);
    }

    /** Restarts processing with a new URI, from the server rewrite phase (error_page, try_files, index). */
    public void internalRedirect(String newUri, String newArgs) {
        this.uri = newUri;
        uriChanges++;
        if (newArgs != null) {
            this.args = newArgs;
        }
        RequestProcessor.internalRedirect(this);
    }

    /** Continues in a named location ({@code @name}). */
    public void namedRedirect(Location named) {
        RequestProcessor.namedRedirect(this, named);
    }

    // ---- client events, for handlers that hold other resources (an upstream connection) ----

    private Runnable closeListener;
    private java.util.function.Consumer<Boolean> writabilityListener;

    private java.util.List<Runnable> endActions;
    private HttpHeaders sentTrailers;
    /** The challenges a 401 from the access phase carries (nginx's headers_out.www_authenticate). */
    private java.util.List<String> wwwAuthenticate;

    /** Sets the {@code WWW-Authenticate} challenge sent with a 401 answer to this request (null: none). */
    public void wwwAuthenticate(String challenge) {
        this.wwwAuthenticate = challenge == null ? null : java.util.List.of(challenge);
    }

    /** Sets several challenges (an authentication service may offer more than one scheme). */
    public void wwwAuthenticateChallenges(java.util.List<String> challenges) {
        this.wwwAuthenticate = challenges == null || challenges.isEmpty() ? null : java.util.List.copyOf(challenges);
    }

    /**
     * Under {@code satisfy any}, a handler that denies does not know yet whether the request is
     * refused: another access handler may let it in. {@code action} runs once the access phase
     * ends in a refusal, and never if it lets the request in (refusal counters).
     */
    public void ifAccessRefused(Runnable action) {
        if (accessRefusals == null) {
            accessRefusals = new java.util.ArrayList<>(2);
        }
        accessRefusals.add(action);
    }

    /**
     * Runs once the exchange has ended (response sent, connection lost or tunnel closed), after
     * the log phase: what a handler holds for the request's lifetime is given back here
     * ({@code limit_conn} counts, nginx's pool cleanups).
     */
    public void onEnd(Runnable action) {
        if (endActions == null) {
            endActions = new java.util.ArrayList<>(2);
        }
        endActions.add(action);
    }

    void runEndActions() {
        if (endActions != null) {
            for (Runnable r : endActions) {
                r.run();
            }
            endActions = null;
        }
    }

    /** Called once if the client connection closes before the exchange ends. */
    public void onClientClosed(Runnable r) {
        this.closeListener = r;
    }

    /** Called when the client connection's writability changes (backpressure from a slow client). */
    public void onWritabilityChanged(java.util.function.Consumer<Boolean> c) {
        this.writabilityListener = c;
    }

    /**
     * The client went away while this exchange ran (a closed connection, a reset stream): the
     * body reader and the content handler hear of it, then the exchange ends (log phase, 499
     * when nothing was sent).
     */
    void clientLost() {
        markClosed();
        if (!bodyComplete) {
            failBody(new java.nio.channels.ClosedChannelException());
        }
        fireClientClosed();
        HttpConnectionHandler.ended(this);
    }

    void fireClientClosed() {
        Runnable r = closeListener;
        closeListener = null;
        if (r != null) {
            r.run();
        }
    }

    void fireWritability(boolean writable) {
        if (writabilityListener != null) {
            writabilityListener.accept(writable);
        }
    }

    public boolean clientWritable() {
        return client.isWritable();
    }

    // ---- request body ----

    public boolean hasBody() {
        return hasBody;
    }

    public boolean bodyComplete() {
        return bodyComplete;
    }

    /**
     * True when the body's length is not announced: chunked in HTTP/1.1, or an HTTP/2 body
     * without Content-Length (nginx then treats it as chunked too); a proxy frames it itself.
     */
    public boolean bodyLengthUnknown() {
        if (HttpUtil.isTransferEncodingChunked(request)) {
            return true;
        }
        return hasBody && request.protocolVersion() == Http2RequestHead.HTTP_2
            && !request.headers().contains(HttpHeaderNames.CONTENT_LENGTH);
    }

    /** False while the client may still be sending body bytes nobody read: nginx then lingers before closing. */
    public boolean bodyFullyRead() {
        return bodyFullyRead;
    }

    public long bodyBytesReceived() {
        return bodyBytesReceived;
    }

    /** Routes the body to a handler, first handing it what already arrived. Reads more only on demand. */
    public void bodyHandler(RequestBodyHandler h) {
        this.bodyHandler = h;
        sendContinue();
        while (pendingBody != null && !pendingBody.isEmpty() && bodyHandler == h) {
            h.onContent(pendingBody.poll());
        }
    }

    /**
     * Asks the client connection for more body data (one read); no-op once the body is complete.
     * The first call answers {@code Expect: 100-continue} with an interim 100 response, as nginx
     * does when it starts reading a body (RFC 9110 10.1.1).
     */
    public void readBody() {
        if (!bodyComplete && !closed) {
            sendContinue();
            client.readBody();
        }
    }

    private boolean continueSent;

    private boolean expectsContinue() {
        String e = request.headers().get(HttpHeaderNames.EXPECT);
        return e != null && e.equalsIgnoreCase("100-continue") && isHttp11();
    }

    /** RFC 9110 section 10.1.1: the interim 100 goes out when the body is first wanted, as nginx does. */
    private void sendContinue() {
        if (!continueSent && !bodyComplete && bodyBytesReceived == 0 && responseHead == null && expectsContinue()) {
            continueSent = true;
            client.sendContinue();
        }
    }

    void deliverBody(HttpContent c) {
        bodyBytesReceived += c.content().readableBytes();
        if (c instanceof LastHttpContent) {
            bodyComplete = true;
            bodyFullyRead = true;
        }
        if (bodyHandler != null) {
            bodyHandler.onContent(c);
        } else {
            if (pendingBody == null) {
                pendingBody = new ArrayDeque<>(4);
            }
            pendingBody.add(c);
        }
    }

    void failBody(Throwable cause) {
        bodyComplete = true;
        releasePending();
        if (bodyHandler != null) {
            bodyHandler.onError(cause);
        }
    }

    private void releasePending() {
        if (pendingBody != null) {
            for (HttpContent c : pendingBody) {
                c.release();
            }
            pendingBody.clear();
        }
    }

    // ---- response ----

    public boolean responseStarted() {
        return responseHead != null;
    }

    public boolean responseDone() {
        return responseDone;
    }

    public int status() {
        return status;
    }

    public HttpResponse responseHead() {
        return responseHead;
    }

    /** This request's {@code limit_rate}: the directive's, or what {@code $limit_rate} or the backend set. */
    public LimitRate limitRate() {
        return limitRate;
    }

    public long bodyBytesSent() {
        return bodyBytesSent;
    }

    /** Bytes of the response that reached the socket: head, body and chunk framing ({@code $bytes_sent}). */
    public long bytesSent() {
        return client.bytesSent() - sentBase;
    }

    /** The encoded size of the response head, status line to the empty line (nginx's header_size). */
    public long headerBytes() {
        return headerBytes;
    }

    public boolean keepAlive() {
        return keepAlive;
    }

    /** Makes the connection close after this response. */
    public void closeAfterResponse() {
        keepAlive = false;
    }

    public boolean isClosed() {
        return closed || !client.isActive();
    }

    /**
     * nginx's {@code r->err_status}: the status {@code error_page} imposes on whatever response
     * the error page request produces (0 = none). A built-in page clears it, since it carries
     * the status of the error it reports.
     */
    public void overrideStatus(int code) {
        this.statusOverride = code;
    }

    public int statusOverride() {
        return statusOverride;
    }

    /** The status a handler is about to send, for {@code $status} in the text it is still computing. */
    public void pendingStatus(int code) {
        this.pendingStatus = code;
    }

    public int pendingStatus() {
        return pendingStatus;
    }

    /** Keeps {@code fields} for whatever response this request ends with (X-Accel-Redirect). */
    public void carryFields(HttpHeaders fields) {
        carriedFields = fields.isEmpty() ? null : fields;
    }

    /**
     * The Content-Type set before the handler ran (a backend's, kept by X-Accel-Redirect), which
     * a handler that picks a type itself (files, {@code return}) keeps, as ngx_http_set_content_type; null when none.
     */
    public String presetContentType() {
        return carriedFields == null ? null : carriedFields.get(HttpHeaderNames.CONTENT_TYPE);
    }

    /**
     * Sends the response head through the one ordered chain of head edits: the status
     * {@code error_page} imposes, the fields every response carries (Server, Date), the modules'
     * filters in module order ({@code add_header}, {@code expires}, {@code charset}, ranges), then
     * the protocol's own: framing and connection headers ({@link ClientSide#writeHead}). A content
     * handler has applied its own rules (the proxy's hide/pass/redirect) before it calls this.
     */
    public ChannelFuture writeHead(HttpResponse head) {
        if (responseHead != null) {
            throw new IllegalStateException("response already started");
        }
        if (statusOverride > 0) {
            head.setStatus(ErrorPages.status(statusOverride));
        }
        responseHead = head;
        status = head.status().code();
        HttpHeaders h = head.headers();
        if (!h.contains(HttpHeaderNames.SERVER)) {
            h.set(ResponseHeaderOrder.SERVER, HttpModule.serverHeader(headerSettings()));
        }
        if (!h.contains(HttpHeaderNames.DATE)) {
            h.set(ResponseHeaderOrder.DATE, HttpDate.now());
        }
        if (wwwAuthenticate != null && status == 401 && !h.contains(HttpHeaderNames.WWW_AUTHENTICATE)) {
            h.set("WWW-Authenticate", wwwAuthenticate);
        }
        if (carriedFields != null) {
            // before the handler's own fields, as nginx lists them
            HttpHeaders all = new io.netty.handler.codec.http.DefaultHttpHeaders();
            for (Map.Entry<String, String> e : carriedFields) {
                if (!HttpHeaderNames.CONTENT_TYPE.contentEqualsIgnoreCase(e.getKey())) {
                    all.add(e.getKey(), e.getValue());
                }
            }
            h.set(all.add(h));
        }
        if (redirectTarget != null && !h.contains(HttpHeaderNames.LOCATION)) {
            h.set(ResponseHeaderOrder.LOCATION, UriEscape.escape(Redirects.absolute(this, redirectTarget), UriEscape.Mode.LOCATION));
        }
        pipeline().filterHead(this, head);
        return client.writeHead(this, head);
    }

    /** The settings that decide the response head: the location's, else the server's (always chosen first). */
    Settings headerSettings() {
        return location != null ? settings() : server.settings();
    }

    /** True when the client may still be waiting to send a body nobody asked for (the connection cannot be reused). */
    boolean awaitingContinue() {
        return expectsContinue() && !continueSent && !bodyComplete;
    }

    /** The encoded size of the head, set by the protocol side as it writes it. */
    void headerBytes(long n) {
        headerBytes = n;
    }

    /** True for HTTP/1.1 and later 1.x requests (chunked coding and keep-alive by default). */
    public boolean isHttp11() {
        return request.protocolVersion().majorVersion() == 1 && request.protocolVersion().minorVersion() >= 1;
    }

    /** Sends a piece of the body (dropped for HEAD). Flushes when asked. */
    public ChannelFuture writeContent(HttpContent c, boolean flush) {
        if (isHead()) {
            c.release();
            return client.succeeded();
        }
        bodyBytesSent += c.content().readableBytes();
        return client.write(this, c, flush);
    }

    /**
     * Sends a body object the protocol side takes as is (a {@code FileRegion}, or a
     * {@code ChunkedInput} of file chunks), counting {@code length} body bytes.
     */
    public ChannelFuture writeRaw(Object msg, long length, boolean flush) {
        if (isHead()) {
            io.netty.util.ReferenceCountUtil.release(msg);
            return client.succeeded();
        }
        bodyBytesSent += length;
        return client.write(this, msg, flush);
    }

    /** The trailer fields the response ended with ({@code $sent_trailer_NAME}), or null. */
    public HttpHeaders sentTrailers() {
        return sentTrailers;
    }

    /** Ends the response. The exchange is finished once this write completes. */
    public ChannelFuture end(LastHttpContent last) {
        if (isHead()) {
            last.release();
            last = LastHttpContent.EMPTY_LAST_CONTENT;
        } else {
            bodyBytesSent += last.content().readableBytes();
            last = pipeline().filterTrailers(this, last);
            if (!last.trailingHeaders().isEmpty()) {
                sentTrailers = last.trailingHeaders();
            }
        }
        responseDone = true;
        return client.end(this, last);
    }

    /** Sends a whole response with the given body (or none). */
    public void send(int code, HttpHeaders headers, ByteBuf body) {
        ByteBuf b = body == null ? Unpooled.EMPTY_BUFFER : body;
        // nginx answers every HTTP/1.x request with an HTTP/1.1 status line
        DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, ErrorPages.status(code));
        if (headers != null) {
            head.headers().set(headers);
        }
        if (code != 304 && code != 204 && code >= 200) {
            head.headers().set(ResponseHeaderOrder.CONTENT_LENGTH, b.readableBytes());
        }
        writeHead(head);
        end(new io.netty.handler.codec.http.DefaultLastHttpContent(b));
    }

    /**
     * Answers with an error status: through {@code error_page} when one applies, otherwise
     * nginx's small built-in page.
     */
    public void sendError(int code) {
        if (responseStarted()) {
            abort();
            return;
        }
        closeForStatus(code);
        if (!pipeline().tryErrorPage(this, code)) {
            sendBuiltinPage(code, null);
        }
    }

    /**
     * Lets {@code error_page} take over for a status without falling back to the built-in page
     * (for {@code proxy_intercept_errors}: without a matching error_page the backend's answer passes).
     * Returns true when it took over.
     */
    public boolean tryErrorPage(int code) {
        return !responseStarted() && pipeline().tryErrorPage(this, code);
    }

    /**
     * Answers with a redirect to {@code target} (relative targets are made absolute as
     * {@code absolute_redirect} says): as nginx, the status goes through {@code error_page} like
     * an error, and the Location stays with the error page's response.
     */
    public void sendRedirect(int code, String target) {
        if (responseStarted()) {
            abort();
            return;
        }
        redirectTarget = target;
        sendError(code);
    }

    /**
     * The built-in page for a status; {@code redirect}, when not null, replaces the Location
     * of an earlier redirect (nginx's ngx_http_clear_location), as {@code error_page ... =302 URL} does.
     */
    public void sendBuiltinPage(int code, String redirect) {
        if (responseStarted()) {
            abort();
            return;
        }
        statusOverride = 0;
        closeForStatus(code);
        if (redirect != null) {
            redirectTarget = redirect;
        }
        HttpHeaders h = new io.netty.handler.codec.http.DefaultHttpHeaders();
        ByteBuf body = null;
        if (ErrorPages.hasPage(code)) {
            h.set(ResponseHeaderOrder.CONTENT_TYPE, "text/html");
            body = Unpooled.wrappedBuffer(ErrorPages.page(code, HttpModule.serverHeader(headerSettings())));
        }
        send(code, h, body);
    }

    /** nginx closes the connection after these errors (ngx_http_special_response_handler), error_page or not. */
    private void closeForStatus(int code) {
        switch (code) {
            case 400, 408, 413, 414, 494, 495, 496, 497, 500, 501 -> keepAlive = false;
            default -> {
            }
        }
    }

    /**
     * The response was a 101: the connection leaves HTTP and {@code tunnel} takes its bytes. The
     * exchange stays open (and its configuration in use) until {@link #tunnelClosed()}.
     */
    public void switchProtocols(io.netty.channel.ChannelHandler tunnel) {
        responseDone = true;
        client.switchProtocols(this, tunnel);
    }

    /** The tunnel closed: the exchange ends (log phase, the snapshot's usage). */
    public void tunnelClosed() {
        closed = true;
        HttpConnectionHandler.ended(this);
    }

    /** Closes the client connection at once (e.g. a backend failed after the response began). */
    public void abort() {
        if (!closed) {
            closed = true;
            keepAlive = false;
            releasePending();
            client.abort(this);
        }
    }

    private Runnable sendTimeoutHandler;

    /**
     * What a content handler does when the client takes nothing for {@code send_timeout} (the
     * proxy logs nginx's "while sending to client" and closes both sides); by default the client
     * side logs and closes the connection.
     */
    public void onSendTimeout(Runnable handler) {
        sendTimeoutHandler = handler;
    }

    /** The client side's send_timeout watch fired: true when a content handler took it. */
    boolean sendTimedOut() {
        if (sendTimeoutHandler == null) {
            return false;
        }
        sendTimeoutHandler.run();
        return true;
    }

    /** The client connection closed while the exchange ran; with no response begun it logs 499, as nginx. */
    void markClosed() {
        closed = true;
        if (responseHead == null && status == 0) {
            status = 499;
        }
        releasePending();
    }

    /** A full response helper for simple bodies. */
    public static HttpResponse fullResponse(HttpVersion v, HttpResponseStatus s, ByteBuf body) {
        return new DefaultFullHttpResponse(v, s, body);
    }
}
