package dev.portico.proxy;

import dev.portico.bytes.ByteStrings;
import dev.portico.http.Exchange;
import dev.portico.observability.LogLevel;
import dev.portico.tls.ClientCertificates;
import dev.portico.upstream.BalancerRequest;
import dev.portico.upstream.DnsResolvers;
import dev.portico.upstream.Peer;
import dev.portico.upstream.ServerAddress;
import dev.portico.upstream.UpstreamGroup;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * One proxied request from start to end: works out the target (resolving a URL with variables),
 * gets the request body as configured, picks peers and runs {@link Attempt}s, retrying as nginx's
 * default {@code proxy_next_upstream error timeout} does, and answers 502/504 (never naming the
 * backend) when no attempt succeeds. Everything runs on the client connection's event loop.
 */
final class ProxyCall {
    final Exchange ex;
    final ProxyConf conf;
    final EventLoop loop;
    final UpstreamStates states;
    private final boolean newGroup;

    UpstreamGroup group;
    boolean https;
    ProxyConf.PoolKey poolKey;
    /** With https: the backend's name for this request, and the SNI sent (null: none). */
    String sslName;
    String sni;
    /** With https and a client certificate named with variables: the one this request names (null: the location's own). */
    ClientCertificates.Pair clientCertificate;
    private String hostHeader;
    private String port;
    private String uriPart = "";
    String uri;
    HttpMethod method;
    private boolean idempotent;
    /** {@code proxy_bind} for this request: where connections come from (null: the system's choice). */
    LocalBind.Bound local;
    /** The request sent asks the backend for an upgrade the client asked for (a 101 then opens a tunnel). */
    boolean upgradeRequested;

    long bodyLength = RequestBuilder.NO_BODY;
    private RequestBody body;
    private ByteBuf fixedBody;
    private BodyStreamer streamer;
    private BodyCollector collector;

    private BalancerRequest balancerRequest;
    private dev.portico.upstream.Balancer balancer;
    private Attempt attempt;
    private boolean freshRetryUsed;
    private boolean done;
    /** When the first attempt began, for proxy_next_upstream_timeout. */
    private long firstAttemptNanos;

    ProxyCall(Exchange ex, ProxyConf conf) {
        this.ex = ex;
        this.conf = conf;
        this.loop = ex.eventLoop();
        UpstreamStates st = ex.attachment(UpstreamStates.class);
        this.newGroup = st != null;
        if (st == null) {
            st = new UpstreamStates();
            ex.attach(UpstreamStates.class, st);
        }
        this.states = st;
    }

    String hostHeader() {
        return hostHeader;
    }

    String port() {
        return port;
    }

    String scheme() {
        return https ? "https://" : "http://";
    }

    void start() {
        ex.attach(ProxyCall.class, this);
        ex.onClientClosed(this::clientClosed);
        if (conf.dynamic == null) {
            ProxyTarget t = conf.target;
            group = conf.group;
            https = t.https();
            hostHeader = t.hostHeader();
            port = t.port();
            uriPart = t.uriPart();
            poolKey = conf.poolKey;
            nameBackend(t);
            if (https && poolKey == null && conf.tls.perRequest()) {
                poolKey = ProxyConf.PoolKey.of(group, conf, true, sni, conf.tls.verifiedName(sslName), clientCertificate);
            }
            targetReady();
        } else {
            evaluateDynamic();
        }
    }

    // ---- the target ----

    /** proxy_pass with variables: parse the URL, then an upstream name, an address, or a lookup. */
    private void evaluateDynamic() {
        String url = conf.dynamic.render(ex);
        ProxyTarget t;
        try {
            t = ProxyTarget.parse(url);
        } catch (ProxyTarget.Invalid e) {
            String m = e.getMessage();
            ProxyLog.log(LogLevel.ERROR, ex, m.equals("invalid URL prefix") ? "invalid URL prefix in \"" + url + "\"" : m,
                null, null);
            failBeforeUpstream(500);
            return;
        }
        https = t.https();
        hostHeader = t.hostHeader();
        port = t.port();
        uriPart = t.uriPart();
        nameBackend(t);
        ServerAddress a = t.address();
        if (!a.isUnix() && !a.explicitPort() && conf.upstreams.has(a.host())) {
            try {
                group = conf.upstreams.block(a.host());
            } catch (dev.portico.config.ConfigException e) {
                failBeforeUpstream(500);
                return;
            }
            poolKey = ProxyConf.PoolKey.of(group, conf, https, sni, https ? conf.tls.verifiedName(sslName) : null, clientCertificate);
            targetReady();
            return;
        }
        if (a.isLiteral()) {
            try {
                group = UpstreamGroup.ofAddresses(a.text(), a.resolveNow());
            } catch (java.net.UnknownHostException e) {
                failBeforeUpstream(502);
                return;
            }
            targetReady();
            return;
        }
        if (conf.resolver == null) {
            UpstreamState s = states.add(a.host(), newGroup);
            s.status = 502;
            s.finished();
            ProxyLog.log(LogLevel.ERROR, ex, "no resolver defined to resolve " + a.host(), null, null);
            failBeforeUpstream(502);
            return;
        }
        int p = a.port();
        DnsResolvers.resolve(loop, conf.resolver, conf.resolverTimeout, a.host()).addListener(f -> {
            if (done) {
                return;
            }
            if (!f.isSuccess()) {
                UpstreamState s = states.add(a.host(), newGroup);
                s.status = 502;
                s.finished();
                boolean timeout = f.cause() != null && String.valueOf(f.cause().getMessage()).contains("timed out")
                    || f.cause() instanceof io.netty.resolver.dns.DnsNameResolverTimeoutException;
                ProxyLog.log(LogLevel.ERROR, ex, a.host() + " could not be resolved ("
                    + (timeout ? "110: Operation timed out" : "3: Host not found") + ")", null, null);
                failBeforeUpstream(502);
                return;
            }
            @SuppressWarnings("unchecked")
            List<InetAddress> addrs = (List<InetAddress>) f.getNow();
            List<SocketAddress> sa = new ArrayList<>();
            for (InetAddress ia : addrs) {
                sa.add(new InetSocketAddress(ia, p));
            }
            group = UpstreamGroup.ofAddresses(a.text(), sa);
            targetReady();
        });
    }

    /** nginx's ngx_http_upstream_ssl_name: what the backend is called in SNI and in the certificate check. */
    private void nameBackend(ProxyTarget t) {
        if (https) {
            sslName = conf.tls.name(ex, UpstreamTls.hostOf(t));
            sni = conf.tls.sni(sslName);
            clientCertificate = conf.tls.certificate(ex);
        }
    }

    private void targetReady() {
        if (done) {
            return;
        }
        uri = UriComposer.compose(ex, uriPart, conf.dynamic != null, conf.locationName);
        local = conf.bind.resolve(ex);
        if (local != null && poolKey != null) {
            poolKey = poolKey.boundTo(local.address());
        }
        if (uri.isEmpty()) {
            ProxyLog.log(LogLevel.ERROR, ex, "zero length URI to proxy", null, null);
            failBeforeUpstream(500);
            return;
        }
        String m = conf.method == null ? ex.method().name() : conf.method.render(ex);
        method = HttpMethod.valueOf(m);
        String original = ex.method().name();
        idempotent = !(original.equals("POST") || original.equals("LOCK") || original.equals("PATCH"));
        // one balancer for the whole request: a re-resolved group may get a new one meanwhile
        balancer = group.balancer();
        int tries = balancer.tries();
        if (conf.nextUpstreamTries > 0 && tries > conf.nextUpstreamTries) {
            tries = conf.nextUpstreamTries;
        }
        balancerRequest = new BalancerRequest(tries, ex.remoteHost(),
            group.hashKey() == null ? null : group.hashKey().render(ex));
        prepareBody();
    }

    // ---- the request body ----

    private void prepareBody() {
        // chunked from an HTTP/1.1 client, or an HTTP/2 body without Content-Length
        boolean chunked = ex.bodyLengthUnknown();
        boolean hasLength = ex.requestHeaders().contains(HttpHeaderNames.CONTENT_LENGTH);
        if (conf.setBody != null || !conf.passRequestBody) {
            // nginx still announces the client's body length (hence "proxy_set_header Content-Length ''" in its docs)
            bodyLength = hasLength || chunked ? HttpUtil.getContentLength(ex.request(), 0L) : RequestBuilder.NO_BODY;
            // read (and not sent) before the request is made, as nginx: $request_body may stand in proxy_set_body
            if (ex.hasBody() && !ex.bodyComplete()) {
                collector = new BodyCollector(this, false);
                collector.start();
            } else {
                bodyReady();
            }
        } else if (!ex.hasBody()) {
            bodyLength = hasLength ? HttpUtil.getContentLength(ex.request(), 0L) : RequestBuilder.NO_BODY;
            connect(false);
        } else if (!conf.requestBuffering && (!chunked || conf.http11)) {
            bodyLength = chunked ? RequestBuilder.CHUNKED : HttpUtil.getContentLength(ex.request(), 0L);
            streamer = new BodyStreamer(this);
            connect(false);
        } else {
            collector = new BodyCollector(this, true);
            collector.start();
        }
    }

    /** The body was read: kept to be sent, or (proxy_set_body, proxy_pass_request_body off) only to be seen. */
    void bodyCollected(RequestBody b, long total) {
        collector = null;
        if (done) {
            if (b != null) {
                b.release();
            }
            return;
        }
        if (b != null && b.file == null && b.memory != null) {
            BufferedBody.expose(ex, b.memory);
        }
        if (conf.setBody == null && conf.passRequestBody) {
            body = b;
            bodyLength = b.length;
        } else {
            if (b != null) {
                b.release();
            }
            bodyLength = bodyLength == RequestBuilder.NO_BODY ? RequestBuilder.NO_BODY : total;
        }
        bodyReady();
    }

    private void bodyReady() {
        if (conf.setBody != null) {
            fixedBody = Unpooled.wrappedBuffer(ByteStrings.bytes(conf.setBody.render(ex)));
            bodyLength = fixedBody.readableBytes();
        }
        connect(false);
    }

    /** Called by an attempt once its request head is written: the body follows. */
    void sendBody(Attempt a) {
        if (fixedBody != null) {
            a.writeWholeBody(fixedBody);
        } else if (body != null) {
            if (body.file == null) {
                a.writeWholeBody(body.memory);
            } else {
                new FileBodySender(body, a).start();
            }
        } else if (streamer != null) {
            streamer.sendTo(a);
        } else {
            a.writeBody(LastHttpContent.EMPTY_LAST_CONTENT);
        }
    }

    // ---- attempts ----

    private void connect(boolean fresh) {
        if (done) {
            return;
        }
        if (firstAttemptNanos == 0) {
            firstAttemptNanos = System.nanoTime();
        }
        Peer peer = balancer.pick(balancerRequest);
        if (peer == null) {
            UpstreamState s = states.add(group.name(), newGroup && attempt == null);
            s.status = 502;
            s.finished();
            ProxyLog.log(LogLevel.ERROR, ex, "no live upstreams", ProxyLog.CONNECTING, scheme() + group.name() + uri);
            failBeforeUpstream(502);
            return;
        }
        UpstreamState s = states.add(peer.name(), newGroup && attempt == null);
        attempt = new Attempt(this, peer, s);
        attempt.start(fresh);
    }

    /** An attempt ended without failing (response read, or dropped on purpose). */
    void attemptDone(Attempt a, boolean failed) {
        balancer.release(a.peer, balancerRequest, failed);
    }

    /** An attempt failed before a response head: try again (fresh connection, next peer) or answer 502/504. */
    void attemptFailed(Attempt a, Attempt.Failure kind, String message, String action) {
        boolean cachedError = a.reused() && kind == Attempt.Failure.ERROR;
        // a failure on a cached connection says nothing about the peer (nginx does not count the try either)
        boolean disabled = balancer.release(a.peer, balancerRequest, !cachedError);
        if (done) {
            return;
        }
        ProxyLog.log(LogLevel.ERROR, ex, message, action, a.upstreamUri());
        if (disabled) {
            ProxyLog.log(LogLevel.WARN, ex, "upstream server temporarily disabled", action, a.upstreamUri());
        }
        boolean replayable = streamer == null || !streamer.started();
        boolean safe = idempotent || !a.requestStarted() || (conf.nextUpstream & NextUpstream.NON_IDEMPOTENT) != 0;
        if (cachedError && !freshRetryUsed && !a.anyResponseByte() && replayable && safe) {
            freshRetryUsed = true;
            balancerRequest.refundTry();
            ex.attach(ProxyCall.class, this);
            connect(true);
            return;
        }
        int bit = switch (kind) {
            case ERROR -> NextUpstream.ERROR;
            case TIMEOUT -> NextUpstream.TIMEOUT;
            case INVALID_HEADER -> NextUpstream.INVALID_HEADER;
        };
        if ((conf.nextUpstream & bit) != 0 && balancerRequest.triesLeft() > 0 && replayable && safe
            && !ex.isClosed() && withinNextUpstreamTimeout()) {
            connect(false);
            return;
        }
        failBeforeUpstream(kind == Attempt.Failure.TIMEOUT ? 504 : 502);
    }

    /** proxy_next_upstream_timeout: 0 means no limit. */
    private boolean withinNextUpstreamTimeout() {
        return conf.nextUpstreamTimeout <= 0
            || (System.nanoTime() - firstAttemptNanos) / 1_000_000L < conf.nextUpstreamTimeout;
    }

    /**
     * proxy_next_upstream http_5xx/403/404/429: when the status is listed and another attempt
     * is allowed (a try left, nothing sent to the client, the body replayable, the method
     * idempotent or non_idempotent listed, within the timeout), this response is dropped and the
     * next server asked. Otherwise the response passes, as in nginx.
     */
    private boolean passOnStatus(Attempt a, int code) {
        int bit = NextUpstream.ofStatus(code);
        if (bit == 0 || (conf.nextUpstream & bit) == 0 || balancerRequest.triesLeft() <= 1 || ex.responseStarted()
            || ex.isClosed() || !withinNextUpstreamTimeout()) {
            return false;
        }
        if (streamer != null && streamer.started()) {
            return false;
        }
        if (!idempotent && (conf.nextUpstream & NextUpstream.NON_IDEMPOTENT) == 0) {
            return false;
        }
        a.dropForNextUpstream();
        boolean disabled = balancer.release(a.peer, balancerRequest, NextUpstream.statusCountsAsFailure(code));
        if (disabled) {
            ProxyLog.log(LogLevel.WARN, ex, "upstream server temporarily disabled", ProxyLog.READING_HEADER, a.upstreamUri());
        }
        connect(false);
        return true;
    }

    /** A failure after the response head went to the client: close the client connection. */
    void responseFailed(Attempt a, String message, String action) {
        balancer.release(a.peer, balancerRequest, false);
        if (done) {
            return;
        }
        ProxyLog.log(LogLevel.ERROR, ex, message, action, a.upstreamUri());
        if (streamer != null) {
            streamer.stop();
        }
        // what already arrived goes out; the close tells the client the body is incomplete
        ex.flush();
        ex.abort();
        finish();
    }

    // ---- the response ----

    /**
     * The response head arrived: hand it over (error_page, X-Accel-Redirect) or start relaying
     * it. As in nginx, proxy_intercept_errors is weighed before X-Accel-Redirect.
     */
    ResponseRelay onResponseHead(Attempt a, HttpResponse r) {
        SingleFields.dropRepeated(ex, a, r.headers());
        int code = r.status().code();
        if (passOnStatus(a, code)) {
            return null;
        }
        if (conf.honourAccelLimitRate) {
            accelLimitRate(r.headers().get("X-Accel-Limit-Rate"));
        }
        if (conf.interceptErrors && code >= 300 && !ex.responseStarted() && intercepted(a, r, code)) {
            return null;
        }
        if (conf.honourAccelRedirect) {
            String target = r.headers().get("X-Accel-Redirect");
            if (target != null) {
                finish();
                a.abandon();
                AccelRedirect.follow(ex, conf, a, r, target);
                return null;
            }
        }
        return relay(a, r);
    }

    /** proxy_intercept_errors: error_page takes over when one matches; without one the backend's own response passes. */
    private boolean intercepted(Attempt a, HttpResponse r, int code) {
        java.util.List<String> challenges = code == 401 ? r.headers().getAll("WWW-Authenticate") : java.util.List.of();
        if (!challenges.isEmpty()) {
            // nginx keeps the backend's challenges on the error page of an intercepted 401
            ex.wwwAuthenticateChallenges(challenges);
        }
        done = true;
        boolean taken = ex.tryErrorPage(code);
        done = false;
        if (taken) {
            a.abandon();
            finish();
            return true;
        }
        if (!challenges.isEmpty()) {
            ex.wwwAuthenticateChallenges(null);
        }
        ex.attach(ProxyCall.class, this);
        ex.onClientClosed(this::clientClosed);
        return false;
    }

    /** A 101 to an upgrade request: the head goes to the client and both connections become a tunnel. */
    void startTunnel(Attempt a, dev.portico.upstream.UpstreamConnection conn, HttpResponse r) {
        if (streamer != null) {
            streamer.stop();
        }
        states.lastOriginals = ResponseHeadFilter.filter(ex, conf, r);
        Tunnel t = new Tunnel(this, a, conn);
        ex.writeHead(r);
        ex.flush();
        t.start();
    }

    private ResponseRelay relay(Attempt a, HttpResponse r) {
        boolean unbuffered = !conf.buffering;
        if (conf.honourAccelBuffering) {
            String xab = r.headers().get("X-Accel-Buffering");
            if (xab != null) {
                if (xab.equalsIgnoreCase("no")) {
                    unbuffered = true;
                } else if (xab.equalsIgnoreCase("yes")) {
                    unbuffered = false;
                }
            }
        }
        if (streamer != null && !a.over()) {
            // a response before the whole body was sent: the rest of the body is not wanted
            streamer.stop();
        }
        states.lastOriginals = ResponseHeadFilter.filter(ex, conf, r);
        ResponseRelay relay = new ResponseRelay(this, a, unbuffered);
        ex.onWritabilityChanged(w -> {
            if (w) {
                relay.resume();
            }
        });
        ex.writeHead(r);
        if (unbuffered) {
            ex.flush();
        }
        return relay;
    }

    /**
     * X-Accel-Limit-Rate: the backend sets this request's rate in bytes per second (0: none),
     * over the limit_rate directive. As nginx, only digits count: anything else ("off", "10k")
     * leaves the rate as it was. It is set before X-Accel-Redirect, so it also holds after one.
     */
    private void accelLimitRate(String value) {
        if (value == null || value.isEmpty() || value.length() > 18) {
            return;
        }
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) < '0' || value.charAt(i) > '9') {
                return;
            }
        }
        ex.limitRate().set(Long.parseLong(value));
    }

    // ---- endings ----

    /** Answers with an error page (nothing was sent yet), never naming the backend. */
    void failBeforeUpstream(int status) {
        if (done) {
            return;
        }
        finish();
        if (!ex.isClosed()) {
            ex.sendError(status);
        }
    }

    /** Portico itself failed while handling the response (a bug): 500 if nothing was sent, else close. */
    void internalError() {
        if (done) {
            return;
        }
        if (ex.responseStarted()) {
            ex.abort();
            finish();
        } else {
            failBeforeUpstream(500);
        }
    }

    /** The client went away (or sent a broken body) while the request was under way. */
    private void clientClosed() {
        if (done) {
            return;
        }
        Attempt a = attempt;
        if (a != null && !a.over() && conf.ignoreClientAbort && ex.responseStarted()) {
            a.drainAfterClientLeft();
            return;
        }
        if (a != null && !a.over()) {
            ProxyLog.log(LogLevel.INFO, ex, "client prematurely closed connection, so upstream connection is closed too",
                ex.responseStarted() ? ProxyLog.READING : ProxyLog.READING_HEADER, a.upstreamUri());
            a.abandon();
        }
        abandon();
    }

    /** Stops without answering (the core answered, or the client left). */
    void abandon() {
        if (done) {
            return;
        }
        if (attempt != null && !attempt.over()) {
            attempt.abandon();
        }
        finish();
    }

    /** Frees what the call holds; idempotent. */
    void finish() {
        if (done) {
            return;
        }
        done = true;
        if (collector != null) {
            collector.abandon();
            collector = null;
        }
        if (streamer != null) {
            streamer.stop();
        }
        if (body != null) {
            body.release();
            body = null;
        }
        if (fixedBody != null) {
            fixedBody.release();
            fixedBody = null;
        }
    }

    boolean done() {
        return done;
    }
}
