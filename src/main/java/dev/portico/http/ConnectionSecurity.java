package dev.portico.http;

import dev.portico.config.ConfigException;
import dev.portico.core.BuildContext;
import io.netty.channel.Channel;
import java.util.List;

/**
 * TLS on the client side, as a module provides it: what a {@code listen ... ssl} address puts
 * in front of HTTP on each connection it accepts. Built once per configuration from the
 * compiled servers, so handshakes find their certificates ready.
 */
public interface ConnectionSecurity {
    /**
     * Adds the TLS handlers for a connection accepted on an {@code ssl} address, ahead of the
     * HTTP codec: they pick the server (and its certificate) by the TLS server name, and mark a
     * connection that sent plain HTTP instead ({@link ClientConnection#plainHttpOnTlsPort()}).
     */
    void install(Channel ch, AddressConf address, ClientConnection connection);

    /**
     * A request that the TLS side answers itself instead of processing: the status, the server
     * whose configuration answers it, and the line logged at {@code info}.
     */
    record Refusal(int status, VirtualServer server, String reason) {
    }

    /**
     * Checks a request read on an {@code ssl} address once its server is known, as nginx does
     * before processing it (client certificates, a {@code Host} other than the handshake's name).
     * Returns null to go on.
     */
    default Refusal refusal(Exchange ex) {
        return null;
    }

    /** Builds the configuration's TLS side from its servers; refuses what cannot serve (a listen ssl without certificate). */
    @FunctionalInterface
    interface Factory {
        ConnectionSecurity create(List<VirtualServer> servers, BuildContext build) throws ConfigException;
    }
}
