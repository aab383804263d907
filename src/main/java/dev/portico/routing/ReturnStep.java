package dev.portico.routing;

import dev.portico.bytes.ByteStrings;
import dev.portico.http.Exchange;
import dev.portico.http.HttpModule;
import dev.portico.http.RewriteStep;
import dev.portico.variables.Template;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * {@code return code [text]}, {@code return code URL}, {@code return URL}, as nginx's
 * ngx_http_script_return_code: a code below 400, or any code with text, is sent as is (redirect
 * codes put the URL, made absolute, in Location; others send the text as a {@code default_type}
 * body); a code from 400 without text is an error answered like any other (error_page, built-in
 * page); 444 closes the connection without answering.
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
        boolean hasText = text != null && !(text.isConstant() && text.source().isEmpty());
        if (code >= 400 && !hasText) {
            if (code == 444) {
                ex.abort();
            } else {
                ex.sendError(code);
            }
            return Flow.DONE;
        }
        // nginx sets the response status before evaluating the text, so "$status" shows it
        ex.pendingStatus(code);
        String value = text == null ? "" : text.render(ex);
        if (isRedirect(code)) {
            ex.sendRedirect(code, value);
            return Flow.DONE;
        }
        // 204 and 304 carry no body (RFC 9110 15.3.5, 15.4.5)
        ByteBuf body = code == 204 || code == 304 ? null : Unpooled.wrappedBuffer(ByteStrings.bytes(value));
        HttpHeaders h = new DefaultHttpHeaders();
        if (code != 204) {
            String preset = ex.presetContentType();
            h.set("Content-Type", preset != null ? preset : ex.settings().get(HttpModule.DEFAULT_TYPE));
        }
        ex.send(code, h, body);
        return Flow.DONE;
    }
}
