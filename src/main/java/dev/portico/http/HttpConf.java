package dev.portico.http;

import java.util.List;
import java.util.Map;

/** The compiled {@code http} block: its servers and the sockets they listen on. */
public record HttpConf(List<VirtualServer> servers, Map<String, ListenerConf> listeners, ContentHandler defaultContent,
                       int settableVariables) {
}
