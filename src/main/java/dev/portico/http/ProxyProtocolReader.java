package dev.portico.http;

import dev.portico.observability.ErrorLog;
import dev.portico.observability.LogLevel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyTLV;
import io.netty.util.ReferenceCountUtil;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code listen ... proxy_protocol}: the connection must start with a PROXY protocol header
 * (v1 text or v2 binary, read by Netty's {@link HAProxyMessageDecoder}); its addresses and TLVs
 * are kept on the connection for {@code $proxy_protocol_*} and {@code real_ip_header
 * proxy_protocol}. A missing or malformed header closes the connection before anything is
 * served, with nginx's "broken header" line.
 */
public final class ProxyProtocolReader extends ChannelInboundHandlerAdapter {
    /** What the header said. Addresses are null for {@code PROXY UNKNOWN} and LOCAL. */
    public record Info(String sourceAddress, int sourcePort, String destinationAddress, int destinationPort, Map<Integer, byte[]> tlvs) {
    }

    static void install(io.netty.channel.ChannelPipeline p) {
        p.addFirst("proxy-protocol", new ProxyProtocolReader());
        p.addFirst("proxy-protocol-decoder", new HAProxyMessageDecoder());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HAProxyMessage m)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            Map<Integer, byte[]> tlvs = new HashMap<>();
            for (HAProxyTLV t : m.tlvs()) {
                byte[] v = new byte[t.content().readableBytes()];
                t.content().getBytes(t.content().readerIndex(), v);
                tlvs.put(t.typeByteValue() & 0xff, v);
            }
            HttpConnectionHandler http = ctx.pipeline().get(HttpConnectionHandler.class);
            if (http != null && http.connection() != null) {
                http.connection().proxyProtocol(new Info(m.sourceAddress(), m.sourcePort(), m.destinationAddress(),
                    m.destinationPort(), Map.copyOf(tlvs)));
            }
        } finally {
            ReferenceCountUtil.release(m);
        }
        ctx.pipeline().remove(this);
        ctx.read();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        String client = ctx.channel().remoteAddress() instanceof java.net.InetSocketAddress a ? ListenSpec.text(a.getAddress()) : "unix:";
        ErrorLog.get().log(LogLevel.ERROR, 0, "broken header: \"" + ErrorLog.escape(String.valueOf(cause.getMessage()))
            + "\" while reading PROXY protocol, client: " + client);
        ctx.close();
    }
}
