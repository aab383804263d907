package dev.portico.http;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;

/**
 * One socket to bind, and the address configurations served through it. A wildcard socket also
 * serves the specific addresses on its port that have no socket of their own (nginx binds only
 * {@code *:80} then and picks the address configuration by the connection's local address).
 */
public record ListenerConf(String key, ListenSpec socket, AddressConf wildcard, Map<String, AddressConf> byLocalAddress) {

    public AddressConf forLocal(SocketAddress local) {
        if (local instanceof InetSocketAddress isa && !byLocalAddress.isEmpty()) {
            AddressConf c = byLocalAddress.get(isa.getAddress().getHostAddress());
            if (c != null) {
                return c;
            }
        }
        return wildcard != null ? wildcard : byLocalAddress.values().iterator().next();
    }
}
