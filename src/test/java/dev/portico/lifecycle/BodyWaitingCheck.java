package dev.portico.lifecycle;

import dev.portico.http.Exchange;
import dev.portico.http.Phase;
import dev.portico.http.PhaseHandler;
import dev.portico.testing.ProbeModule;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;

/**
 * A slow request for lifecycle tests: a request carrying {@value #HEADER} is answered only once
 * its whole body has arrived ("got N bytes"), so a client that trickles the body keeps it in
 * flight as long as it likes. An access-phase handler of a probe module, given to the servers
 * that need it.
 */
final class BodyWaitingCheck {
    static final String HEADER = "X-Test-Wait-For-Body";
    static final ProbeModule MODULE = ProbeModule.handler(Phase.ACCESS, BodyWaitingCheck::check);

    private BodyWaitingCheck() {
    }

    private static int check(Exchange ex) {
        if (!ex.requestHeaders().contains(HEADER)) {
            return PhaseHandler.DECLINED;
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
        return PhaseHandler.AGAIN;
    }
}
