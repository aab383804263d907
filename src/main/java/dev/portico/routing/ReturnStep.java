package dev.portico.routing;

import dev.portico.http.Exchange;
import dev.portico.http.HttpModule;
import dev.portico.http.Redirects;
import dev.portico.http.RewriteStep;
import dev.portico.variables.Template;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.nio.charset.StandardCharsets;

/**
 * {@code return code [text]}, {@code return code URL}, {@code return URL}: ends processing with
 * the given status. Redirect codes put the (absolute) URL in Location; other codes send the text
 * as body, or the error page when there is no text; 444 closes the connection without answering.
 */
public final class ReturnStep implements RewriteStep {
    private final int code;
    private final Template text;

    public ReturnStep(int code, Template text) {
        this.code = code;
        this.text = text;
    }

    static boolean isRedirect(int code) {
        return code == 301 || code == 302 || code == 303 || code == 307 || code == 308;
    }

    @Override
    public Flow run(Exchange ex) {
        if (code == 444) {
            ex.abort();
            return Flow.DONE;
        }
        if (isRedirect(code) && text != null) {
            String location = Redirects.absolute(ex, text.render(ex));
            ex.sendBuiltinPage(code, location);
            return Flow.DONE;
        }
        if (text == null) {
            if (code >= 400 || isRedirect(code)) {
                ex.sendError(code);
            } else {
                ex.send(code, null, null);
            }
            return Flow.DONE;
        }
        ByteBuf body = Unpooled.copiedBuffer(text.render(ex), StandardCharsets.UTF_8);
        HttpHeaders h = new DefaultHttpHeaders();
        h.set("Content-Type", ex.settings().get(HttpModule.DEFAULT_TYPE));
        ex.send(code, h, body);
        return Flow.DONE;
    }
}
