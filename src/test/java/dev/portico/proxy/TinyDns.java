package dev.portico.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** A DNS server on loopback answering A queries from a table ("a.b.c.d [e.f.g.h ...]"; everything else: NXDOMAIN). */
final class TinyDns implements AutoCloseable {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel channel;
    final AtomicInteger queries = new AtomicInteger();

    TinyDns(int port, Map<String, String> a) throws InterruptedException {
        channel = new Bootstrap().group(group).channel(NioDatagramChannel.class)
            .handler(new ChannelInitializer<DatagramChannel>() {
                @Override
                protected void initChannel(DatagramChannel ch) {
                    ch.pipeline().addLast(new DatagramDnsQueryDecoder(), new DatagramDnsResponseEncoder(),
                        new SimpleChannelInboundHandler<DatagramDnsQuery>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, DatagramDnsQuery q) throws Exception {
                                queries.incrementAndGet();
                                DnsQuestion question = q.recordAt(DnsSection.QUESTION);
                                DatagramDnsResponse r = new DatagramDnsResponse(q.recipient(), q.sender(), q.id());
                                r.addRecord(DnsSection.QUESTION, question);
                                String name = question.name().endsWith(".") ? question.name().substring(0, question.name().length() - 1)
                                    : question.name();
                                String ip = a.get(name);
                                if (ip != null && question.type() == DnsRecordType.A) {
                                    // several addresses, separated by spaces, are answered in their order
                                    for (String one : ip.trim().split(" +")) {
                                        r.addRecord(DnsSection.ANSWER, new DefaultDnsRawRecord(question.name(), DnsRecordType.A, 60,
                                            Unpooled.wrappedBuffer(InetAddress.getByName(one).getAddress())));
                                    }
                                } else if (ip == null) {
                                    r.setCode(DnsResponseCode.NXDOMAIN);
                                }
                                ctx.writeAndFlush(r);
                            }
                        });
                }
            }).bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)).sync().channel();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
}
