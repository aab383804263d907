package dev.portico.proxy;

import io.netty.buffer.ByteBuf;

/**
 * A request body read completely before the backend is chosen ({@code proxy_request_buffering
 * on}): in memory up to {@code client_body_buffer_size}, otherwise all of it in a temporary
 * file. Kept until the request ends, so that another attempt can send it again.
 */
final class RequestBody {
    final ByteBuf memory;
    final TempFile file;
    final long length;

    RequestBody(ByteBuf memory, TempFile file, long length) {
        this.memory = memory;
        this.file = file;
        this.length = length;
    }

    void release() {
        if (memory != null && memory.refCnt() > 0) {
            memory.release();
        }
        if (file != null) {
            file.close();
        }
    }
}
