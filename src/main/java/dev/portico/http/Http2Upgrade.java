package dev.portico.http;

import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;

/**
 * Turns an accepted connection from HTTP/1 to HTTP/2, once ALPN chose {@code h2}
 * ({@link Http2AlpnSwitch}) or the client opened with the connection preface on a plain address
 * ({@link Http2PrefaceDetector}): the HTTP/1 handlers leave (nothing was read through them yet)
 * and the HTTP/2 codec ({@link Http2ServerCodec}, which serves the streams) and
 * {@link Http2Connection} take their place, after any TLS handler. The connection then reads all the time: each stream's window, not the
 * socket, bounds what a client may send ahead.
 */
final class Http2Upgrade {
    private static final String[] HTTP1 = {"activity", "decoder", "encoder", "http", "chunkedWriter", "limit-rate"};

    private Http2Upgrade() {
    }

    /** Is HTTP/2 on for this plain address: {@code http2 on} in its default server, or {@code listen ... http2}. */
    static boolean onForPlainAddress(AddressConf address) {
        return address.listen().http2() || Http2Module.enabled(address.servers().defaultServer().settings());
    }

    static void toHttp2(Channel ch) {
        ChannelPipeline p = ch.pipeline();
        if (!(p.get("http") instanceof HttpConnectionHandler http)) {
            ch.close();
            return;
        }
        Http2Connection conn = http.handOverToHttp2();
        if (conn == null) {
            ch.close();
            return;
        }
        for (String name : HTTP1) {
            if (p.get(name) != null) {
                p.remove(name);
            }
        }
        Http2Codecs.Built built = Http2Codecs.build(conn);
        conn.codec(built);
        p.addLast("h2-linger", new Http2Linger(conn.settings(), built.codec().connection()))
            .addLast("h2", built.codec())
            .addLast("h2-limits", new Http2HeaderLimits.Log(conn.connection()))
            .addLast("h2-conn", conn);
        // http2_recv_buffer_size: the most one read from the socket takes
        int recv = (int) Math.min(Integer.MAX_VALUE, conn.settings().get(Http2Module.RECV_BUFFER_SIZE));
        ch.config().setRecvByteBufAllocator(new AdaptiveRecvByteBufAllocator(64, Math.min(2048, recv), recv));
        ch.config().setAutoRead(true);
    }
}
