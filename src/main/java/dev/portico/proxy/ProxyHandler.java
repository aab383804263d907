package dev.portico.proxy;

import dev.portico.http.ContentHandler;
import dev.portico.http.Exchange;

/** The content handler of a location with {@code proxy_pass}: each request becomes a {@link ProxyCall}. */
final class ProxyHandler implements ContentHandler {
    private final ProxyConf conf;

    ProxyHandler(ProxyConf conf) {
        this.conf = conf;
    }

    @Override
    public void handle(Exchange ex) {
        new ProxyCall(ex, conf).start();
    }
}
