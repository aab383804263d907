package dev.portico.proxy;

import dev.portico.http.Exchange;
import dev.portico.http.RequestBodyHandler;
import dev.portico.observability.LogLevel;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * Reads a whole request body before the backend is chosen: into memory up to
 * {@code client_body_buffer_size}, beyond that into a temporary file under
 * {@code client_body_temp_path} (writes off the event loop; the next read from the client waits
 * for them, so memory stays bounded). With {@code keep} false the body is read and not sent
 * ({@code proxy_pass_request_body off}, {@code proxy_set_body}): it is kept only while it fits in
 * {@code client_body_buffer_size}, for {@code $request_body}, and dropped once it does not (nginx
 * would write it to a file, where {@code $request_body} does not see it either).
 */
final class BodyCollector implements RequestBodyHandler {
    private final ProxyCall call;
    private final Exchange ex;
    private final ProxyConf conf;
    private final boolean keep;
    private ByteBuf memory;
    private TempFile file;
    private long total;
    private int pendingWrites;
    private boolean last;
    private boolean finished;
    /** Not kept: the body outgrew the memory buffer. */
    private boolean dropped;

    BodyCollector(ProxyCall call, boolean keep) {
        this.call = call;
        this.ex = call.ex;
        this.conf = call.conf;
        this.keep = keep;
    }

    void start() {
        ex.bodyHandler(this);
        if (!finished && !last) {
            ex.readBody();
        }
    }

    @Override
    public void onContent(HttpContent c) {
        if (finished) {
            c.release();
            return;
        }
        // client_max_body_size of a chunked body is enforced by the connection handler as it
        // arrives (413, reported here through onError)
        ByteBuf data = c.content();
        int n = data.readableBytes();
        total += n;
        if (c instanceof LastHttpContent) {
            last = true;
        }
        boolean fits = (memory == null ? 0 : memory.readableBytes()) + n <= conf.clientBodyBufferSize;
        if (!keep && !fits && !dropped) {
            dropped = true;
            if (memory != null) {
                memory.release();
                memory = null;
            }
        }
        if (n == 0 || dropped) {
            c.release();
        } else if (file == null && fits) {
            if (memory == null) {
                long expected = HttpUtil.getContentLength(ex.request(), (long) n);
                memory = ex.alloc().buffer((int) Math.min(conf.clientBodyBufferSize, Math.max(expected, n)));
            }
            memory.writeBytes(data);
            c.release();
        } else {
            if (file == null) {
                file = new TempFile(conf.clientBodyTempPath, call.loop, p -> ProxyLog.log(LogLevel.WARN, ex,
                    "a client request body is buffered to a temporary file " + p, null, null));
                if (memory != null) {
                    pendingWrites++;
                    file.append(memory, this::written, this::failed);
                    memory = null;
                }
            }
            pendingWrites++;
            file.append(data.retain(), this::written, this::failed);
            c.release();
        }
        next();
    }

    private void written() {
        pendingWrites--;
        next();
    }

    private void next() {
        if (finished || pendingWrites > 0) {
            return;
        }
        if (last) {
            finished = true;
            call.bodyCollected(keep || memory != null ? new RequestBody(memory, file, total) : null, total);
            memory = null;
            file = null;
        } else {
            ex.readBody();
        }
    }

    private void failed(Throwable e) {
        if (finished) {
            return;
        }
        ProxyLog.log(LogLevel.CRIT, ex, "write to \"" + file.path() + "\" failed (" + e.getMessage() + ")", null, null);
        abandon();
        call.failBeforeUpstream(500);
    }

    @Override
    public void onError(Throwable cause) {
        // the core answers (400, 408, 413) or the client left
        abandon();
        call.abandon();
    }

    /** Stops collecting and frees what was kept. */
    void abandon() {
        finished = true;
        if (memory != null) {
            memory.release();
            memory = null;
        }
        if (file != null) {
            file.close();
            file = null;
        }
    }
}
