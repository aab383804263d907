package dev.portico.http;

import java.util.List;
import java.util.Map;

/** The compiled {@code http} block: its servers, the sockets they listen on, and the modules' request pipeline. */
public record HttpConf(List<VirtualServer> servers, Map<String, ListenerConf> listeners, ContentHandler defaultContent,
                       int settableVariables, RequestPipeline pipeline, ConnectionSecurity security) {

    /** The compiled http block of a snapshot. */
    public static HttpConf of(dev.portico.core.Snapshot s) {
        return s.build().registry(HttpConf.class);
    }
}
