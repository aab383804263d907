package dev.portico.config.directive;

import java.util.EnumSet;
import java.util.Set;

/** Where a directive may stand, as nginx's NGX_*_CONF flags. */
public enum Context {
    MAIN, EVENTS, HTTP, SERVER, LOCATION, IF_IN_SERVER, IF_IN_LOCATION, UPSTREAM, LIMIT_EXCEPT;

    public static final Set<Context> HTTP_SRV_LOC = EnumSet.of(HTTP, SERVER, LOCATION);
    public static final Set<Context> HTTP_SRV_LOC_LIF = EnumSet.of(HTTP, SERVER, LOCATION, IF_IN_LOCATION);
    public static final Set<Context> SRV_LOC = EnumSet.of(SERVER, LOCATION);
    public static final Set<Context> SRV_LOC_IFS = EnumSet.of(SERVER, LOCATION, IF_IN_SERVER, IF_IN_LOCATION);
    public static final Set<Context> LOC_LIF = EnumSet.of(LOCATION, IF_IN_LOCATION);
    public static final Set<Context> ANY = EnumSet.allOf(Context.class);

    /** True for the levels whose settings form the http -> server -> location inheritance chain. */
    public boolean isHttpLevel() {
        return this == HTTP || this == SERVER || this == LOCATION || this == IF_IN_LOCATION || this == LIMIT_EXCEPT;
    }
}
