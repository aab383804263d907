package dev.portico.http;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;

/**
 * One socket to bind, and the address configurations served through it: {@code wildcard} is the
 * socket's own address configuration; a wildcard socket also serves, in {@code byLocalAddress},
 * the specific addresses of its port that have no socket of their own (nginx binds only
 * {@code *:80} then and picks the address configuration by the connection's local address).
 */
public record ListenerConf(String key, ListenSpec socket, AddressConf wildcard, Map<String, AddressConf> byLocalAddress) {

    /** The address configuration for a connection accepted on this socket. */
    public AddressConf forLocal(SocketAddress local) {
        if (local instanceof InetSocketAddress isa && !byLocalAddress.isEmpty() && isa.getAddress() != null) {
            AddressConf c = byLocalAddress.get(ListenSpec.text(isa.getAddress()));
            if (c != null) {
                return c;
            }
        }
        return wildcard;
    }
}
