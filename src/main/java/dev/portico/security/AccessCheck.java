package dev.portico.security;

import dev.portico.http.Exchange;
import dev.portico.http.HttpModule;
import dev.portico.http.PhaseHandler;
import dev.portico.observability.ErrorLog;
import dev.portico.observability.LogLevel;
import io.netty.channel.unix.DomainSocketAddress;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.atomic.LongAdder;

/**
 * The access phase handler of a location with {@code allow}/{@code deny} lines
 * (ngx_http_access_module): the first rule that matches the client's address decides; none
 * matching lets the request pass. An IPv4-mapped IPv6 client is checked as IPv4, as in nginx.
 */
final class AccessCheck implements PhaseHandler {
    private final AccessRule[] rules;
    /** Per rule, the requests it refused (see {@link Refusals}); null where only {@link #allows} is asked. */
    private final LongAdder[] denials;

    /** Rules only matched against ({@code set_real_ip_from}, geo): nothing is counted. */
    AccessCheck(AccessRule[] rules) {
        this(rules, null);
    }

    AccessCheck(AccessRule[] rules, LongAdder[] denials) {
        this.rules = rules;
        this.denials = denials;
    }

    @Override
    public int handle(Exchange ex) {
        int rule = match(ex.remoteAddress());
        if (rule < 0) {
            return DECLINED;
        }
        return rules[rule].deny() ? denied(ex, rule) : OK;
    }

    /** True when the first rule that matches {@code remote} allows it (set_real_ip_from lists allow only). */
    boolean allows(SocketAddress remote) {
        int rule = match(remote);
        return rule >= 0 && !rules[rule].deny();
    }

    /** The index of the first rule matching the address, or -1. */
    private int match(SocketAddress remote) {
        AccessRule.Kind family;
        long hi = 0;
        long lo = 0;
        if (remote instanceof InetSocketAddress isa && isa.getAddress() != null) {
            InetAddress a = isa.getAddress();
            byte[] b = a.getAddress();
            if (a instanceof Inet4Address) {
                family = AccessRule.Kind.IPV4;
                lo = ipv4(b, 0);
            } else if (isV4Mapped(b)) {
                family = AccessRule.Kind.IPV4;
                lo = ipv4(b, 12);
            } else {
                family = AccessRule.Kind.IPV6;
                for (int i = 0; i < 8; i++) {
                    hi = (hi << 8) | (b[i] & 0xffL);
                    lo = (lo << 8) | (b[i + 8] & 0xffL);
                }
            }
        } else if (remote instanceof DomainSocketAddress) {
            family = AccessRule.Kind.UNIX;
        } else {
            return -1;
        }
        for (int i = 0; i < rules.length; i++) {
            AccessRule r = rules[i];
            boolean match = switch (r.kind()) {
                case ALL -> true;
                case UNIX -> family == AccessRule.Kind.UNIX;
                case IPV4 -> family == AccessRule.Kind.IPV4 && (lo & r.maskLo()) == r.lo();
                case IPV6 -> family == AccessRule.Kind.IPV6 && (hi & r.maskHi()) == r.hi() && (lo & r.maskLo()) == r.lo();
            };
            if (match) {
                return i;
            }
        }
        return -1;
    }

    /** nginx logs here only under {@code satisfy all}; under {@code any} the phase logs once nothing allowed. */
    private int denied(Exchange ex, int rule) {
        if (!ex.settings().get(HttpModule.SATISFY_ANY)) {
            ErrorLog.of(ex).log(LogLevel.ERROR, ex.connection().id(), "access forbidden by rule" + ErrorLog.context(ex));
        }
        if (denials != null) {
            Refusals.countDenial(ex, denials[rule]);
        }
        return 403;
    }

    private static long ipv4(byte[] b, int at) {
        return ((b[at] & 0xffL) << 24) | ((b[at + 1] & 0xffL) << 16) | ((b[at + 2] & 0xffL) << 8) | (b[at + 3] & 0xffL);
    }

    private static boolean isV4Mapped(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
    }
}
