package dev.portico.http;

import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.atomic.AtomicLong;

/** Facts about one client connection that variables and logs read. */
public final class ClientConnection {
    private static final AtomicLong IDS = new AtomicLong();

    private final long id = IDS.incrementAndGet();
    /** When the connection was accepted, for {@code $connection_time}. */
    private final long openedNanos = System.nanoTime();
    private final Channel channel;
    private volatile ListenerConf listener;
    private volatile AddressConf address;
    private int requests;
    private volatile ProxyProtocolReader.Info proxyProtocol;

    ClientConnection(Channel channel, ListenerConf listener, AddressConf address) {
        this.channel = channel;
        this.listener = listener;
        this.address = address;
    }

    public long id() {
        return id;
    }

    /** {@link System#nanoTime()} when the connection was accepted. */
    public long openedNanos() {
        return openedNanos;
    }

    public Channel channel() {
        return channel;
    }

    public ListenerConf listener() {
        return listener;
    }

    public AddressConf address() {
        return address;
    }

    public int requests() {
        return requests;
    }

    void countRequest() {
        requests++;
    }

    /** After a reload: the next request on this keep-alive connection uses the new configuration. */
    void rebind(ListenerConf newListener, AddressConf newAddress) {
        this.listener = newListener;
        this.address = newAddress;
    }

    /** What the PROXY protocol header said, on a {@code listen ... proxy_protocol} connection; else null. */
    public ProxyProtocolReader.Info proxyProtocol() {
        return proxyProtocol;
    }

    void proxyProtocol(ProxyProtocolReader.Info info) {
        this.proxyProtocol = info;
    }

    public SocketAddress remoteAddress() {
        return channel.remoteAddress();
    }

    public SocketAddress localAddress() {
        return channel.localAddress();
    }

    /** The client's address as text ("::1", not Java's "0:0:0:0:0:0:0:1"; "unix:" for a unix socket, as nginx). */
    public String remoteHost() {
        SocketAddress a = channel.remoteAddress();
        if (a instanceof InetSocketAddress isa) {
            return ListenSpec.text(isa.getAddress());
        }
        return "unix:";
    }

    public int remotePort() {
        SocketAddress a = channel.remoteAddress();
        return a instanceof InetSocketAddress isa ? isa.getPort() : 0;
    }

    public String localHost() {
        SocketAddress a = channel.localAddress();
        if (a instanceof InetSocketAddress isa) {
            return ListenSpec.text(isa.getAddress());
        }
        return "unix:";
    }

    public int localPort() {
        SocketAddress a = channel.localAddress();
        return a instanceof InetSocketAddress isa ? isa.getPort() : 0;
    }

    private volatile boolean plainHttpOnTlsPort;
    private volatile String tlsServerName;

    /** True when the client sent plain HTTP to an {@code ssl} address: its request gets nginx's 497 answer. */
    public boolean plainHttpOnTlsPort() {
        return plainHttpOnTlsPort;
    }

    public void plainHttpOnTlsPort(boolean plain) {
        this.plainHttpOnTlsPort = plain;
    }

    /** The server name the client asked for in its TLS handshake ({@code $ssl_server_name}), or null. */
    public String tlsServerName() {
        return tlsServerName;
    }

    public void tlsServerName(String name) {
        this.tlsServerName = name;
    }

    public boolean isSecure() {
        return channel.pipeline().get(io.netty.handler.ssl.SslHandler.class) != null;
    }
}
