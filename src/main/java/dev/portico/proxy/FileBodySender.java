package dev.portico.proxy;

/**
 * Sends a request body kept in a temporary file: a chunk is read off the event loop, written,
 * and the next one read only when the backend connection can take it.
 */
final class FileBodySender {
    private static final int CHUNK = 64 * 1024;

    private final RequestBody body;
    private final Attempt attempt;
    private long position;

    FileBodySender(RequestBody body, Attempt attempt) {
        this.body = body;
        this.attempt = attempt;
    }

    void start() {
        next();
    }

    private void next() {
        if (attempt.over()) {
            return;
        }
        long left = body.length - position;
        if (left <= 0) {
            attempt.writeWholeBody(null);
            return;
        }
        body.file.read(position, (int) Math.min(CHUNK, left), buf -> {
            if (attempt.over()) {
                buf.release();
                return;
            }
            position += buf.readableBytes();
            if (!buf.isReadable()) {
                buf.release();
                attempt.writeWholeBody(null);
                return;
            }
            attempt.writePiece(buf);
            attempt.whenWritable(this::next);
        }, e -> attempt.localFailure("read() \"" + body.file.path() + "\" failed (" + e.getMessage() + ")"));
    }
}
