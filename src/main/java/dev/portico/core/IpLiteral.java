package dev.portico.core;

/** Checks that a text is an IP address literal, so that it is never taken for a host name to look up. */
public final class IpLiteral {
    private IpLiteral() {
    }

    /** Dotted IPv4: four decimal parts of at most three digits, each up to 255. */
    public static boolean isIpv4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit) || Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }

    /** IPv6 characters only (hex digits, ":", "." of an embedded IPv4) and at least one colon. */
    public static boolean isIpv6(String s) {
        return s.indexOf(':') >= 0 && s.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.');
    }
}
