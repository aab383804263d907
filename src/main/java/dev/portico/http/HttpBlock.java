package dev.portico.http;

import java.util.ArrayList;
import java.util.List;

/** Owner of the http level while reading: the servers in order. */
public final class HttpBlock {
    final List<ServerBuilder> servers = new ArrayList<>();

    public List<ServerBuilder> servers() {
        return servers;
    }
}
