package dev.portico.http;


/** The servers that answer on one listen address, indexed by name. */
public record AddressConf(ListenSpec listen, ServerNameIndex<VirtualServer> servers) {
}
