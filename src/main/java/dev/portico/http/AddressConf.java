package dev.portico.http;

import dev.portico.routing.ServerNameIndex;

/** The servers that answer on one listen address, indexed by name. */
public record AddressConf(ListenSpec listen, ServerNameIndex<VirtualServer> servers) {
}
