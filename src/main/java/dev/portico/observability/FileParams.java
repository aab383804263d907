package dev.portico.observability;

/**
 * How an access log file is written: {@code buffer=} size (0: each line as soon as the writer
 * gets to it), {@code flush=} time in milliseconds (0: none) and {@code gzip} level (0: none).
 * In nginx the buffer belongs to the file, so every {@code access_log} naming the file shares it.
 */
record FileParams(int bufferSize, long flushMillis, int gzipLevel) {
    static final FileParams UNBUFFERED = new FileParams(0, 0, 0);

    boolean buffered() {
        return bufferSize > 0;
    }
}
