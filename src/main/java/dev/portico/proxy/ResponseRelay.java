package dev.portico.proxy;

import dev.portico.http.Exchange;
import dev.portico.observability.LogLevel;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Moves a response body from the backend to the client with backpressure both ways.
 * <ul>
 * <li>Unbuffered ({@code proxy_buffering off} or {@code X-Accel-Buffering: no}): every piece is
 *     flushed at once; the backend is read only while the client connection is writable.</li>
 * <li>Buffered: pieces are flushed once per read from the backend, which is read ahead of the
 *     client by up to {@code proxy_buffers} (number x size). Beyond that the rest goes to a
 *     temporary file under {@code proxy_temp_path}, up to {@code proxy_max_temp_file_size}
 *     (0: never), and reading the backend waits for the client. {@code proxy_limit_rate} paces
 *     the reads from the backend (see {@link #readUpstream()}).</li>
 * </ul>
 * Waiting for a client that takes nothing for {@code send_timeout} closes both sides.
 */
final class ResponseRelay {
    private static final int FILE_CHUNK = 64 * 1024;

    private final ProxyCall call;
    private final Exchange ex;
    private final Attempt attempt;
    private final ProxyConf conf;
    private final boolean unbuffered;
    /**
     * A write completed: look again once Netty has counted it out. It tells a write's listeners
     * before it takes the write's bytes off the pending count, so a check made inside the
     * listener still sees them and would wait for a completion that never comes.
     */
    private final ChannelFutureListener resumeListener = f -> f.channel().eventLoop().execute(this::resume);

    private ChannelFuture lastWrite;
    private boolean waitingClient;
    private boolean upstreamDone;
    private boolean ended;
    private boolean discarding;

    private TempFile spill;
    private long spillRead;
    private boolean spillReading;
    private boolean spillFull;
    private boolean spillLogged;

    /** proxy_limit_rate in bytes per second (0: none); buffered responses only, as in nginx. */
    private final long rate;
    private final long rateStartNanos = System.nanoTime();
    /** The backend connection's byte count when the body began: reads are counted from here. */
    private final long rateBase;
    /** The postponed read while the allowance is used up, or null. */
    private ScheduledFuture<?> rateTimer;

    ResponseRelay(ProxyCall call, Attempt attempt, boolean unbuffered) {
        this.call = call;
        this.ex = call.ex;
        this.attempt = attempt;
        this.conf = call.conf;
        this.unbuffered = unbuffered;
        this.rate = unbuffered ? 0 : conf.limitRate.get(ex, 0);
        this.rateBase = attempt.bytesIn();
        // send_timeout is watched by the client side (one mechanism); this says what a timeout means here
        ex.onSendTimeout(this::clientTimedOut);
    }

    boolean paused() {
        return waitingClient;
    }

    // ---- from the backend ----

    void onContent(HttpContent c) {
        if (discarding || ended) {
            c.release();
            return;
        }
        if (spill != null) {
            toSpill(c.content());
            return;
        }
        lastWrite = ex.writeContent(c, unbuffered);
    }

    void onLast(LastHttpContent last) {
        upstreamDone = true;
        if (last.content().isReadable() && !discarding && !ended) {
            onContent(new DefaultHttpContent(last.content().retain()));
        }
        last.release();
        if (discarding) {
            call.finish();
            return;
        }
        if (spill == null) {
            end();
        } else {
            drainSpill();
        }
    }

    void upstreamReadComplete() {
        if (upstreamDone || ended) {
            return;
        }
        if (discarding) {
            readUpstream();
            return;
        }
        if (!unbuffered && spill == null) {
            ex.flush();
        }
        decide();
    }

    /** Reads more from the backend, spills, or waits for the client. */
    private void decide() {
        if (upstreamDone || ended || discarding) {
            return;
        }
        if (spill != null) {
            long inFile = spill.written() + spill.writing();
            if (inFile >= conf.maxTempFileSize || spill.writing() >= conf.tempFileWriteSize * 4) {
                spillFull = inFile >= conf.maxTempFileSize;
                attempt.pauseReading();
                return;
            }
            readUpstream();
            drainSpill();
            return;
        }
        if (unbuffered ? ex.clientWritable() : pendingToClient() < conf.readAhead) {
            readUpstream();
        } else if (!unbuffered && conf.maxTempFileSize > 0) {
            spill = new TempFile(conf.tempPath, call.loop, p -> {
                if (!spillLogged) {
                    spillLogged = true;
                    ProxyLog.log(LogLevel.WARN, ex, "an upstream response is buffered to a temporary file " + p,
                        ProxyLog.READING, attempt.upstreamUri());
                }
            });
            spillRead = 0;
            spillFull = false;
            readUpstream();
        } else {
            waitForClient();
        }
    }

    /**
     * Reads more from the backend within {@code proxy_limit_rate}, with nginx's allowance: the
     * rate times (whole seconds since the body began + 1), minus what was read. A read takes
     * no more than the allowance. With none left, the next read waits on one timer for the
     * second at which the allowance covers what was read (nginx waits for the excess at the
     * rate plus 1 ms, and may wake every millisecond until that second); the read timeout does
     * not run meanwhile.
     */
    private void readUpstream() {
        if (rate <= 0) {
            attempt.readMore();
            return;
        }
        if (rateTimer != null) {
            return;
        }
        long read = attempt.bytesIn() - rateBase;
        long elapsedMillis = (System.nanoTime() - rateStartNanos) / 1_000_000L;
        long seconds = elapsedMillis / 1000 + 1;
        long allowed = rate > Long.MAX_VALUE / seconds ? Long.MAX_VALUE : rate * seconds;
        if (allowed > read) {
            attempt.readMore(allowed - read);
            return;
        }
        attempt.pauseReading();
        long delay = Math.max(1, read / rate * 1000 - elapsedMillis);
        rateTimer = call.loop.schedule(this::rateWaited, delay, TimeUnit.MILLISECONDS);
    }

    private void rateWaited() {
        rateTimer = null;
        if (ended) {
            return;
        }
        if (discarding) {
            readUpstream();
        } else {
            decide();
        }
    }

    private void cancelRateTimer() {
        if (rateTimer != null) {
            rateTimer.cancel(false);
            rateTimer = null;
        }
    }

    private long pendingToClient() {
        return ex.pendingBytes();
    }

    private void waitForClient() {
        if (waitingClient) {
            return;
        }
        waitingClient = true;
        attempt.pauseReading();
        if (lastWrite != null && !lastWrite.isDone()) {
            lastWrite.addListener(resumeListener);
        } else if (ex.clientWritable()) {
            call.loop.execute(this::resume);
        }
    }

    /** The client took data (a write completed or the connection turned writable). */
    void resume() {
        if (ended || discarding) {
            return;
        }
        if (spill != null) {
            drainSpill();
            return;
        }
        if (!waitingClient) {
            return;
        }
        boolean canGo = unbuffered ? ex.clientWritable() : pendingToClient() < conf.readAhead;
        if (!canGo) {
            if (lastWrite != null && !lastWrite.isDone()) {
                lastWrite.addListener(resumeListener);
            }
            return;
        }
        waitingClient = false;
        decide();
    }

    // ---- the temporary file ----

    private void toSpill(ByteBuf data) {
        spill.append(data, this::spillWritten, this::spillFailed);
    }

    private void spillWritten() {
        if (ended) {
            return;
        }
        drainSpill();
        if (!upstreamDone && !spillFull && spill != null && spill.writing() < conf.tempFileWriteSize * 4
            && spill.written() + spill.writing() < conf.maxTempFileSize) {
            // writes caught up: keep reading the backend
            if (!attempt.over()) {
                readUpstream();
            }
        }
    }

    private void spillFailed(Throwable e) {
        ProxyLog.log(LogLevel.CRIT, ex, "write to \"" + spill.path() + "\" failed (" + e.getMessage() + ")",
            ProxyLog.READING, attempt.upstreamUri());
        abortBoth();
    }

    /** Sends the next piece of the file to the client when it can take it. */
    private void drainSpill() {
        if (ended || spill == null || spillReading) {
            return;
        }
        if (lastWrite != null && !lastWrite.isDone() && (!ex.clientWritable() || pendingToClient() >= conf.readAhead)) {
            if (!waitingClient) {
                waitingClient = true;
                    }
            lastWrite.addListener(resumeListener);
            return;
        }
        waitingClient = false;
        long available = spill.written() - spillRead;
        if (available <= 0) {
            if (spill.writing() == 0) {
                TempFile done = spill;
                spill = null;
                done.close();
                if (upstreamDone) {
                    end();
                } else {
                    spillFull = false;
                    decide();
                }
            }
            return;
        }
        spillReading = true;
        int n = (int) Math.min(FILE_CHUNK, available);
        TempFile f = spill;
        f.read(spillRead, n, buf -> {
            spillReading = false;
            if (ended) {
                buf.release();
                return;
            }
            spillRead += buf.readableBytes();
            lastWrite = ex.writeContent(new DefaultHttpContent(buf), true);
            drainSpill();
        }, e -> {
            spillReading = false;
            spillFailed(e);
        });
    }

    // ---- endings ----

    private void end() {
        if (ended) {
            return;
        }
        ended = true;
        cancelRateTimer();
        ex.end(trailers());
        call.finish();
    }

    /**
     * nginx's ngx_http_upstream_process_trailers: with {@code proxy_pass_trailers on} the backend's
     * trailer fields go to the client, less those {@code proxy_hide_header} (and the default hidden
     * set) keeps back; the client's framing decides whether they can be sent (chunked HTTP/1.1, HTTP/2).
     */
    private LastHttpContent trailers() {
        HttpHeaders from = call.conf.passTrailers ? call.states.lastTrailers : null;
        if (from == null || from.isEmpty()) {
            return LastHttpContent.EMPTY_LAST_CONTENT;
        }
        DefaultLastHttpContent last = new DefaultLastHttpContent();
        for (Map.Entry<String, String> e : from) {
            if (!call.conf.hide.contains(e.getKey())) {
                last.trailingHeaders().add(e.getKey(), e.getValue());
            }
        }
        return last;
    }

    private void clientTimedOut() {
        if (ended) {
            return;
        }
        ProxyLog.log(LogLevel.INFO, ex, "client timed out (110: Connection timed out)", ProxyLog.SENDING_TO_CLIENT, null);
        abortBoth();
    }

    private void abortBoth() {
        if (ended) {
            return;
        }
        ended = true;
        cancelRateTimer();
        if (spill != null) {
            spill.close();
            spill = null;
        }
        attempt.abandon();
        ex.abort();
        call.finish();
    }

    /** The client is gone: nothing more is written; the backend is read to the end and dropped. */
    void discard() {
        discarding = true;
        if (spill != null) {
            spill.close();
            spill = null;
        }
    }

    /** Stops everything (a failure elsewhere ended the exchange). */
    void stop() {
        ended = true;
        cancelRateTimer();
        if (spill != null) {
            spill.close();
            spill = null;
        }
    }
}
