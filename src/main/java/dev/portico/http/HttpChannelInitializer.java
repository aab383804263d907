package dev.portico.http;

import dev.portico.config.directive.Settings;
import dev.portico.core.CoreModule;
import dev.portico.core.Snapshot;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;

/**
 * Builds a client connection's pipeline from the configuration in force when it is accepted:
 * the decoder's limits come from the default server of the address, as in nginx.
 */
public final class HttpChannelInitializer extends ChannelInitializer<Channel> {
    private final ServerRuntime runtime;
    private final String listenerKey;
    private final java.util.function.Consumer<Channel> track;

    public HttpChannelInitializer(ServerRuntime runtime, String listenerKey, java.util.function.Consumer<Channel> track) {
        this.runtime = runtime;
        this.listenerKey = listenerKey;
        this.track = track;
    }

    @Override
    protected void initChannel(Channel ch) {
        Snapshot snap = runtime.snapshot();
        ListenerConf listener = HttpConf.of(snap).listeners().get(listenerKey);
        if (listener == null) {
            ch.close();
            return;
        }
        AddressConf address = listener.forLocal(ch.localAddress());
        Settings defaults = address.servers().defaultServer().settings();
        HttpConnectionHandler http = new HttpConnectionHandler(runtime, snap, listener, defaults);
        ClientConnection connection = new ClientConnection(ch, listener, address);
        http.connection(connection);
        // worker_connections is a per-loop cap (per worker in nginx); idle connections make room for new ones
        LoopConnections loop = LoopConnections.current();
        LoopConnections.Slot slot = loop.admit(snap.main(CoreModule.WORKER_CONNECTIONS), http::reuse);
        if (slot == null) {
            ch.close();
            return;
        }
        ch.closeFuture().addListener(f -> loop.release(slot));
        http.slot(loop, slot);
        track.accept(ch);
        // one large header buffer bounds each line, all of them the whole head (nginx's large_client_header_buffers)
        int line = (int) Math.min(Integer.MAX_VALUE / 2, defaults.get(HttpModule.LARGE_HEADER_BUFFER_SIZE));
        int total = (int) Math.min(Integer.MAX_VALUE / 2,
            defaults.get(HttpModule.LARGE_HEADER_BUFFER_SIZE) * defaults.get(HttpModule.LARGE_HEADER_BUFFER_NUMBER));
        if (listener.socket().proxyProtocol()) {
            ProxyProtocolReader.install(ch.pipeline());
        }
        if (address.listen().ssl()) {
            // TLS after the PROXY header, before HTTP: the header comes in clear ahead of the handshake
            HttpConf.of(snap).security().install(ch, address, connection);
            // ALPN "h2" (offered where the server SNI chooses has http2 on) turns it to HTTP/2
            ch.pipeline().addLast("alpn", new Http2AlpnSwitch());
        } else if (Http2Upgrade.onForPlainAddress(address)) {
            ch.pipeline().addLast("h2c-detect", new Http2PrefaceDetector());
        }
        ch.pipeline()
            .addLast("activity", new ByteActivityHandler(http))
            .addLast("decoder", new StrictRequestDecoder(line, total, defaults.get(HttpModule.MAX_HEADERS)))
            .addLast("encoder", new OrderedResponseEncoder())
            .addLast("http", http);
    }
}
