package dev.portico.http;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * A subrequest whose response only its head matters ({@code auth_request}), nginx's
 * {@code ngx_http_subrequest} with {@code header_only}: a GET for a URI of the same server,
 * carrying the client's headers but never its body, run through the server and location phases
 * like an internal redirect; whatever handler answers it (usually a proxy) writes here instead of
 * to the client. The body is dropped as it comes; when the response ends, {@link Done} is called
 * on the event loop with the finished subrequest.
 */
public final class Subrequest implements ClientSide {
    /** What the parent does once the subrequest's response is complete (or failed). */
    @FunctionalInterface
    public interface Done {
        void finished(Exchange subrequest, HttpResponse head);
    }

    private final Exchange parent;
    private final Done done;
    /** Runs whatever becomes of the client ({@code post_action}): never cut short, its end always reported. */
    private final boolean detached;
    private Exchange sub;
    private HttpResponse head;
    private boolean finished;

    private Subrequest(Exchange parent, Done done, boolean detached) {
        this.parent = parent;
        this.done = done;
        this.detached = detached;
    }

    /**
     * Starts a subrequest of {@code parent} for {@code uri} (a path, optionally with a query).
     * The parent stays suspended; {@code done} gets the head the subrequest answered with (a 500
     * head when it ended without one). Nothing happens if the client goes away first.
     */
    public static void start(Exchange parent, String uri, Done done) {
        Subrequest side = new Subrequest(parent, done, false);
        int q = uri.indexOf('?');
        String path = q < 0 ? uri : uri.substring(0, q);
        String args = q < 0 ? null : uri.substring(q + 1);
        Exchange sub = new Exchange(parent, side, request(parent, HttpMethod.GET, uri), path, args);
        side.sub = sub;
        parent.onClientClosed(() -> {
            sub.markClosed();
            sub.fireClientClosed();
            sub.runEndActions();
        });
        RequestProcessor.start(sub);
    }

    /**
     * {@code post_action}: the request, its response sent (or its client gone), goes on in
     * {@code uri} (arguments dropped, as nginx's internal redirect without arguments) or in the
     * named location {@code named}, with its method and headers but no body; whatever the action
     * answers is dropped. {@code after} runs on the event loop once the action is over.
     */
    static void startDetached(Exchange parent, String uri, Location named, Runnable after) {
        Subrequest side = new Subrequest(parent, (sub, head) -> after.run(), true);
        String path = uri != null ? uri : parent.uri();
        Exchange sub = new Exchange(parent, side, request(parent, parent.method(), path), path, null);
        side.sub = sub;
        if (named != null) {
            RequestProcessor.namedRedirect(sub, named);
        } else {
            RequestProcessor.start(sub);
        }
    }

    private static DefaultHttpRequest request(Exchange parent, HttpMethod method, String uri) {
        HttpHeaders headers = new DefaultHttpHeaders();
        headers.set(parent.requestHeaders());
        // no body goes with it, so nothing may announce one (nginx would pass Content-Length and
        // leave the auth service waiting); no upgrade either: the answer never becomes a tunnel
        headers.remove(HttpHeaderNames.CONTENT_LENGTH);
        headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
        headers.remove(HttpHeaderNames.EXPECT);
        headers.remove(HttpHeaderNames.UPGRADE);
        return new DefaultHttpRequest(parent.request().protocolVersion(), method, uri, headers);
    }

    private void finish() {
        if (finished) {
            return;
        }
        finished = true;
        sub.runEndActions();
        if (!detached) {
            parent.onClientClosed(null);
        }
        HttpResponse h = head != null ? head
            : new io.netty.handler.codec.http.DefaultHttpResponse(parent.request().protocolVersion(), ErrorPages.status(500));
        // after the handler that ended the subrequest has unwound (its upstream connection back in the pool)
        eventLoop().execute(() -> {
            if (detached || !parent.isClosed()) {
                done.finished(sub, h);
            }
        });
    }

    @Override
    public EventLoop eventLoop() {
        return parent.eventLoop();
    }

    @Override
    public ByteBufAllocator alloc() {
        return parent.alloc();
    }

    @Override
    public void readBody() {
    }

    @Override
    public void sendContinue() {
    }

    @Override
    public ChannelFuture writeHead(Exchange ex, HttpResponse response) {
        head = response;
        return succeeded();
    }

    @Override
    public ChannelFuture write(Exchange ex, Object content, boolean flush) {
        if (content instanceof io.netty.handler.stream.ChunkedInput<?> in) {
            // file chunks: not reference-counted, but they hold the file open
            try {
                in.close();
            } catch (Exception ignored) {
                // nothing more to do with a body nobody reads
            }
        }
        ReferenceCountUtil.release(content);
        return succeeded();
    }

    @Override
    public ChannelFuture end(Exchange ex, LastHttpContent last) {
        last.release();
        finish();
        return succeeded();
    }

    @Override
    public void flush() {
    }

    @Override
    public ChannelFuture succeeded() {
        return parent.clientSide().succeeded();
    }

    @Override
    public boolean isWritable() {
        return true;
    }

    @Override
    public long pendingBytes() {
        return 0;
    }

    @Override
    public long bytesSent() {
        return 0;
    }

    @Override
    public boolean isActive() {
        return detached || !parent.isClosed();
    }

    /** The handler gave up on the subrequest (a backend failed mid-body): its head, if any, stands. */
    @Override
    public void abort(Exchange ex) {
        finish();
    }

    @Override
    public void switchProtocols(Exchange ex, ChannelHandler tunnel) {
        finish();
    }

    @Override
    public Channel tunnelChannel() {
        return null;
    }

    @Override
    public boolean takesFileRegions() {
        // the body is dropped unread either way
        return true;
    }
}
