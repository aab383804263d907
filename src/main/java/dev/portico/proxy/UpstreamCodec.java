package dev.portico.proxy;

import dev.portico.upstream.UpstreamConnection;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.ssl.SslHandler;

/**
 * The HTTP/1.x client side of a backend connection: Netty's encoder and a response decoder
 * whose limits come from {@code proxy_buffer_size} (the whole response head must fit, as in
 * nginx) and which knows when a response has no body because the request was HEAD. Responses
 * with both Content-Length and Transfer-Encoding, or a bad chunk, come out as decoder failures.
 */
final class UpstreamCodec {
    private UpstreamCodec() {
    }

    /** @param tls the TLS handler of an https backend, or null */
    static void setup(ChannelPipeline p, int maxHead, SslHandler tls) {
        if (tls != null) {
            p.addLast("tls", tls);
        }
        HttpDecoderConfig cfg = new HttpDecoderConfig()
            .setMaxInitialLineLength(Math.max(256, maxHead))
            .setMaxHeaderSize(Math.max(256, maxHead))
            .setMaxChunkSize(64 * 1024)
            .setAllowDuplicateContentLengths(false)
            // a bare LF ends a line (RFC 9112 section 2.2, as nginx); HeadValidator refuses a bare CR
            .setStrictLineParsing(false)
            .setValidateHeaders(false); // HeadValidator checks the names as nginx does
        HeadValidator heads = new HeadValidator();
        p.addLast("encoder", new ByteRequestEncoder());
        p.addLast("heads", heads);
        p.addLast("decoder", new ResponseDecoder(cfg, heads));
    }

    /** The response decoder of a connection set up here (no pipeline walk per request). */
    static ResponseDecoder decoder(UpstreamConnection c) {
        return (ResponseDecoder) c.framing();
    }

    /**
     * Netty's response decoder, told when the request was HEAD (no body follows whatever the
     * headers say), and able to say what it holds beyond the response it just ended.
     */
    static final class ResponseDecoder extends HttpResponseDecoder implements UpstreamConnection.Framing {
        boolean headRequest;
        /** The byte-level check that runs ahead of this decoder. */
        final HeadValidator heads;

        ResponseDecoder(HttpDecoderConfig cfg, HeadValidator heads) {
            super(cfg);
            this.heads = heads;
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpMessage msg) {
            if (headRequest && msg instanceof HttpResponse r && r.status().code() >= 200) {
                return true;
            }
            return super.isContentAlwaysEmpty(msg);
        }

        /**
         * Called while the last piece of a response is being handed on: bytes still in the
         * cumulation arrived in the same read after the response's end.
         */
        @Override
        public int bytesBeyondMessage() {
            return actualReadableBytes();
        }
    }
}
