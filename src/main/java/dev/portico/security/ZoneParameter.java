package dev.portico.security;

import dev.portico.config.ConfNode;
import dev.portico.config.ConfigException;
import dev.portico.config.directive.Values;

/** The {@code zone=name:size} parameter of {@code limit_req_zone} and {@code limit_conn_zone}, checked as nginx checks it. */
record ZoneParameter(String name, long size) {
    /** nginx's smallest zone: 8 pages of 4 KiB. */
    private static final long SMALLEST = 8 * 4096;

    static ZoneParameter parse(ConfNode node, String arg) throws ConfigException {
        int colon = arg.lastIndexOf(':');
        if (colon <= 5) {
            throw node.error("invalid zone size \"" + arg + "\"");
        }
        String name = arg.substring(5, colon);
        long size = Values.parseSize(arg.substring(colon + 1));
        if (size <= 0) {
            throw node.error("invalid zone size \"" + arg + "\"");
        }
        if (size < SMALLEST) {
            throw node.error("zone \"" + name + "\" is too small");
        }
        return new ZoneParameter(name, size);
    }
}
