package dev.portico.proxy;

import dev.portico.config.ConfigException;
import dev.portico.core.BuildContext;
import dev.portico.variables.Template;
import dev.portico.variables.Variables;
import java.util.ArrayList;
import java.util.List;

/**
 * The header fields Portico sets on the request to the backend ({@code proxy_set_header} over
 * nginx's defaults) and the names it therefore does not copy from the client. Defaults, as nginx
 * 1.30: {@code Host $proxy_host}; no {@code Connection}, {@code Keep-Alive}, {@code TE},
 * {@code Expect} or {@code Upgrade}; {@code Content-Length}/{@code Transfer-Encoding} describe
 * the body actually sent. A value that renders empty is not sent.
 */
final class RequestHeaderRules {
    /** One field to set; a null value template means "the body framing" (Content-Length or Transfer-Encoding). */
    record Rule(String name, Template value, boolean framing) {
    }

    /** Never copied from the client besides the configured names: hop-by-hop fields (RFC 9110 7.6.1). */
    private static final List<String> HOP_BY_HOP = List.of("Proxy-Connection", "Trailer");

    final List<Rule> rules;
    final HeaderNameSet notCopied;
    final boolean userContentLength;
    final boolean userTransferEncoding;

    private RequestHeaderRules(List<Rule> rules, HeaderNameSet notCopied, boolean cl, boolean te) {
        this.rules = rules;
        this.notCopied = notCopied;
        this.userContentLength = cl;
        this.userTransferEncoding = te;
    }

    static RequestHeaderRules compile(List<ProxyModule.HeaderSetting> user, BuildContext build) throws ConfigException {
        List<Rule> rules = new ArrayList<>();
        List<String> names = new ArrayList<>();
        boolean cl = false;
        boolean te = false;
        if (user != null) {
            for (ProxyModule.HeaderSetting h : user) {
                rules.add(new Rule(h.name(), h.value(), false));
                names.add(h.name());
                cl |= h.name().equalsIgnoreCase("Content-Length");
                te |= h.name().equalsIgnoreCase("Transfer-Encoding");
            }
        }
        addDefault(rules, names, "Host", Template.compile("$proxy_host", Variables.of(build)), false);
        addDefault(rules, names, "Connection", null, false);
        addDefault(rules, names, "Content-Length", null, true);
        addDefault(rules, names, "Transfer-Encoding", null, true);
        addDefault(rules, names, "TE", null, false);
        addDefault(rules, names, "Keep-Alive", null, false);
        addDefault(rules, names, "Expect", null, false);
        addDefault(rules, names, "Upgrade", null, false);
        names.addAll(HOP_BY_HOP);
        return new RequestHeaderRules(List.copyOf(rules), new HeaderNameSet(names), cl, te);
    }

    private static void addDefault(List<Rule> rules, List<String> names, String name, Template value, boolean framing) {
        for (String n : names) {
            if (n.equalsIgnoreCase(name)) {
                return;
            }
        }
        names.add(name);
        if (value != null || framing) {
            rules.add(new Rule(name, value, framing));
        }
    }
}
