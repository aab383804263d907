package dev.portico.tls;

import dev.portico.config.ConfNode;
import dev.portico.config.ConfigException;
import dev.portico.config.directive.Values;

/**
 * {@code proxy_ssl_certificate_cache off | max=N [inactive=time] [valid=time]} (nginx 1.27.4+):
 * how long client certificates named with variables are kept once read. An entry unused for
 * {@code inactive} goes, one older than {@code valid} is checked against its files before it is
 * used again, the least recently used go past {@code max}. {@code off}, nginx's default, reads
 * the files for every new connection; here that is an entry checked against its files every time.
 */
public record CertificateCacheSpec(int max, long inactiveSeconds, long validSeconds) {
    /** nginx's default: nothing is used without looking at the files again. */
    public static final CertificateCacheSpec OFF = new CertificateCacheSpec(1000, 10, 0);

    /** nginx's parsing (ngx_http_proxy_ssl_certificate_cache): its defaults, checks and messages. */
    public static CertificateCacheSpec parse(ConfNode node) throws ConfigException {
        int max = 0;
        long inactive = 10;
        long valid = 60;
        boolean off = false;
        for (String a : node.args()) {
            if (a.startsWith("max=")) {
                String n = a.substring(4);
                max = n.isEmpty() || n.length() > 9 || !n.chars().allMatch(Character::isDigit) ? 0 : Integer.parseInt(n);
                if (max <= 0) {
                    throw node.error("invalid parameter \"" + a + "\"");
                }
            } else if (a.startsWith("inactive=")) {
                inactive = time(node, a, a.substring(9));
            } else if (a.startsWith("valid=")) {
                valid = time(node, a, a.substring(6));
            } else if (a.equals("off")) {
                off = true;
            } else {
                throw node.error("invalid parameter \"" + a + "\"");
            }
        }
        if (off) {
            return OFF;
        }
        if (max == 0) {
            throw node.error("\"" + node.name() + "\" must have the \"max\" parameter");
        }
        return new CertificateCacheSpec(max, inactive, valid);
    }

    private static long time(ConfNode node, String arg, String value) throws ConfigException {
        long t = Values.parseTime(value, false);
        if (t < 0) {
            throw node.error("invalid parameter \"" + arg + "\"");
        }
        return t;
    }
}
