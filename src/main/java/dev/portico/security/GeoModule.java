package dev.portico.security;

import static dev.portico.config.directive.Context.HTTP;

import dev.portico.config.ConfNode;
import dev.portico.config.ConfigException;
import dev.portico.config.directive.Arity;
import dev.portico.config.directive.Directive;
import dev.portico.config.directive.Dispatcher;
import dev.portico.config.directive.Level;
import dev.portico.core.BuildContext;
import dev.portico.core.Module;
import dev.portico.variables.Template;
import dev.portico.variables.Variables;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;

/**
 * ngx_http_geo_module: {@code geo [$address] $variable { ... }} sets a variable from the client
 * address (or any variable holding an address) by the most specific CIDR that contains it, or
 * with {@code ranges} by the range that contains it; {@code default}, {@code delete},
 * {@code include}, and {@code proxy}/{@code proxy_recursive} to read the address from
 * X-Forwarded-For when the peer is a trusted proxy.
 */
public final class GeoModule implements Module {
    public GeoModule() {
    }

    @Override
    public List<Directive> directives() {
        return List.of(new Directive("geo", EnumSet.of(HTTP), Arity.TAKE12, true, GeoModule::geo));
    }

    private static void geo(Level level, ConfNode node, Dispatcher d) throws ConfigException {
        Variables vars = Variables.of(level.nearest(BuildContext.class));
        String name = node.arg(node.argCount() - 1);
        if (name.length() < 2 || name.charAt(0) != '$') {
            throw node.error("invalid variable name \"" + name + "\"");
        }
        Template source = node.argCount() == 2 ? Template.compile(node.arg(0), vars) : null;
        String defaultValue = "";
        boolean ranges = false;
        boolean recursive = false;
        List<GeoVariable.Entry> entries = new ArrayList<>();
        List<AccessRule> proxies = new ArrayList<>();
        for (ConfNode e : node.children()) {
            String key = e.name();
            if (e.isBlock()) {
                throw e.error("unexpected \"{\"");
            }
            if (e.argCount() == 0) {
                switch (key) {
                    case "ranges" -> ranges = true;
                    case "proxy_recursive" -> recursive = true;
                    default -> throw e.error("invalid number of the geo parameters");
                }
                continue;
            }
            if (e.argCount() != 1) {
                throw e.error("invalid number of the geo parameters");
            }
            String value = e.arg(0);
            switch (key) {
                case "default" -> defaultValue = value;
                case "proxy" -> proxies.add(AccessRule.parse(e, value, false));
                case "delete" -> {
                    AccessRule gone = ranges ? null : AccessRule.parse(e, value, false);
                    long[] range = ranges ? GeoVariable.range(e, value) : null;
                    entries.removeIf(x -> gone != null ? gone.equals(x.rule()) : x.start() == range[0] && x.end() == range[1]);
                }
                default -> entries.add(ranges
                    ? GeoVariable.Entry.of(GeoVariable.range(e, key), value)
                    : new GeoVariable.Entry(AccessRule.parse(e, key, false), 0, 0, value));
            }
        }
        // a later line wins over an earlier one for the same addresses, as nginx's tree replaces it
        java.util.Collections.reverse(entries);
        if (!ranges) {
            // the most specific prefix first (a stable sort keeps the later of two equal ones first)
            entries.sort(Comparator.comparingInt((GeoVariable.Entry x) -> -x.rule().bits()));
        }
        try {
            vars.define(name.substring(1), new GeoVariable(source, entries, ranges, defaultValue,
                proxies.toArray(new AccessRule[0]), recursive));
        } catch (ConfigException ex) {
            throw ex.at(node);
        }
    }
}
