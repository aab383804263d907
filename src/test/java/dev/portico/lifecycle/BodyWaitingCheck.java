package dev.portico.lifecycle;

import dev.portico.http.AccessPhase;
import dev.portico.http.Exchange;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;

/**
 * A slow request for lifecycle tests: a request carrying {@value #HEADER} is answered only once
 * its whole body has arrived ("got N bytes"), so a client that trickles the body keeps it in
 * flight as long as it likes. Registered as an access-phase check because nothing else on this
 * branch waits for a body yet; after the proxy lands, a proxy_pass to a slow backend is the
 * natural replacement.
 */
final class BodyWaitingCheck {
    static final String HEADER = "X-Test-Wait-For-Body";
    private static boolean registered;

    private BodyWaitingCheck() {
    }

    static synchronized void register() {
        if (registered) {
            return;
        }
        registered = true;
        AccessPhase.register(BodyWaitingCheck::check);
    }

    private static boolean check(Exchange ex) {
        if (!ex.requestHeaders().contains(HEADER)) {
            return true;
        }
        long[] received = {0};
        ex.bodyHandler(c -> {
            received[0] += c.content().readableBytes();
            boolean last = c instanceof LastHttpContent;
            c.release();
            if (last) {
                DefaultHttpHeaders h = new DefaultHttpHeaders();
                h.set("Content-Type", "text/plain");
                ex.send(200, h, Unpooled.copiedBuffer("got " + received[0] + " bytes\n", StandardCharsets.UTF_8));
            } else {
                ex.readBody();
            }
        });
        ex.readBody();
        return false;
    }
}
