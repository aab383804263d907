package dev.portico.http;

import dev.portico.config.directive.Settings;
import dev.portico.core.CoreModule;
import dev.portico.core.Snapshot;
import dev.portico.observability.ErrorLog;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * Builds a client connection's pipeline from the configuration in force when it is accepted:
 * the decoder's limits come from the default server of the address, as in nginx.
 */
public final class HttpChannelInitializer extends ChannelInitializer<Channel> {
    /** Open connections on the current event loop (worker_connections is a per-loop cap, as per worker in nginx). */
    private static final FastThreadLocal<int[]> OPEN = new FastThreadLocal<>() {
        @Override
        protected int[] initialValue() {
            return new int[1];
        }
    };

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
        ListenerConf listener = snap.http().listeners().get(listenerKey);
        if (listener == null) {
            ch.close();
            return;
        }
        int[] open = OPEN.get();
        int cap = snap.main(CoreModule.WORKER_CONNECTIONS);
        if (open[0] >= cap) {
            ErrorLog.alert(cap + " worker_connections are not enough");
            ch.close();
            return;
        }
        open[0]++;
        ch.closeFuture().addListener(f -> open[0]--);
        track.accept(ch);
        Settings defaults = listener.forLocal(ch.localAddress()).servers().defaultServer().settings();
        // one large header buffer bounds each line, all of them the whole head (nginx's large_client_header_buffers)
        int line = (int) Math.min(Integer.MAX_VALUE / 2, defaults.get(HttpModule.LARGE_HEADER_BUFFER_SIZE));
        int total = (int) Math.min(Integer.MAX_VALUE / 2,
            defaults.get(HttpModule.LARGE_HEADER_BUFFER_SIZE) * defaults.get(HttpModule.LARGE_HEADER_BUFFER_NUMBER));
        HttpConnectionHandler http = new HttpConnectionHandler(runtime, snap, listener, defaults);
        ch.pipeline()
            .addLast("activity", new ByteActivityHandler(http))
            .addLast("decoder", new StrictRequestDecoder(line, total))
            .addLast("encoder", new HttpResponseEncoder())
            .addLast("http", http);
    }
}
