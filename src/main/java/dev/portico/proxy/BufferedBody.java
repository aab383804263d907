package dev.portico.proxy;

import dev.portico.bytes.ByteStrings;
import dev.portico.http.Exchange;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

/**
 * {@code $request_body}: the request body as nginx exposes it, only when the proxy read it whole
 * into memory (within {@code client_body_buffer_size}); a body streamed to the backend or written
 * to a temporary file leaves the variable not found. The buffer is held until the exchange ends, so
 * the log phase still sees it, and read into a string only when the variable is asked for.
 */
final class BufferedBody {
    private final ByteBuf memory;
    private String text;

    private BufferedBody(ByteBuf memory) {
        this.memory = memory;
    }

    /** Makes the body (held in memory) visible to {@code $request_body} until the exchange ends. */
    static void expose(Exchange ex, ByteBuf memory) {
        BufferedBody b = new BufferedBody(memory.retain());
        ex.attach(BufferedBody.class, b);
        ex.onEnd(memory::release);
    }

    static String of(Exchange ex) {
        BufferedBody b = ex.attachment(BufferedBody.class);
        if (b == null) {
            return null;
        }
        if (b.text == null) {
            b.text = ByteStrings.of(ByteBufUtil.getBytes(b.memory));
        }
        return b.text;
    }
}
