package dev.portico.security;

import static dev.portico.config.directive.Context.HTTP;

import dev.portico.bytes.ByteStrings;
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
import java.util.EnumSet;
import java.util.List;

/**
 * ngx_http_split_clients_module: {@code split_clients string $variable { 0.5% one; * other; }}
 * puts each value of the string into a bucket by nginx's MurmurHash2, so a client lands where
 * nginx would put it (for A/B tests and gradual rollouts that move between the two).
 */
public final class SplitClientsModule implements Module {
    public SplitClientsModule() {
    }

    @Override
    public List<Directive> directives() {
        return List.of(new Directive("split_clients", EnumSet.of(HTTP), Arity.TAKE2, true, SplitClientsModule::split));
    }

    private static void split(Level level, ConfNode node, Dispatcher d) throws ConfigException {
        Variables vars = Variables.of(level.nearest(BuildContext.class));
        Template key = Template.compile(node.arg(0), vars);
        String name = node.arg(1);
        if (name.length() < 2 || name.charAt(0) != '$') {
            throw node.error("invalid variable name \"" + name + "\"");
        }
        List<long[]> bounds = new ArrayList<>();
        List<String> values = new ArrayList<>();
        long sum = 0;
        for (ConfNode e : node.children()) {
            if (e.isBlock() || e.argCount() != 1) {
                throw e.error("invalid number of the split_clients parameters");
            }
            String p = e.name();
            long bound;
            if (p.equals("*")) {
                bound = -1;
                sum = 10000;
            } else {
                long hundredths = percent(p);
                if (hundredths <= 0) {
                    throw e.error("invalid percent value \"" + p + "\"");
                }
                sum += hundredths;
                if (sum > 10000) {
                    throw e.error("percent total is greater than 100%");
                }
                bound = sum * 0xffffffffL / 10000;
            }
            bounds.add(new long[] {bound});
            values.add(e.arg(0));
        }
        long[] limits = bounds.stream().mapToLong(b -> b[0]).toArray();
        String[] results = values.toArray(new String[0]);
        try {
            vars.define(name.substring(1), ex -> {
                String k = key.render(ex);
                long hash = murmur2(ByteStrings.bytes(k == null ? "" : k)) & 0xffffffffL;
                for (int i = 0; i < limits.length; i++) {
                    if (limits[i] < 0 || hash < limits[i]) {
                        return results[i];
                    }
                }
                return "";
            });
        } catch (ConfigException ex) {
            throw ex.at(node);
        }
    }

    /** {@code 12.34%} in hundredths of a percent (nginx's ngx_atofp with two decimals), or -1. */
    private static long percent(String p) {
        if (!p.endsWith("%")) {
            return -1;
        }
        String n = p.substring(0, p.length() - 1);
        int dot = n.indexOf('.');
        String whole = dot < 0 ? n : n.substring(0, dot);
        String frac = dot < 0 ? "" : n.substring(dot + 1);
        if (whole.isEmpty() || frac.length() > 2 || !(whole + frac).chars().allMatch(Character::isDigit) || whole.length() > 3) {
            return -1;
        }
        return Long.parseLong(whole) * 100 + (frac.isEmpty() ? 0 : Long.parseLong((frac + "0").substring(0, 2)));
    }

    /** nginx's ngx_murmur_hash2: MurmurHash2, seeded with the length, little-endian. */
    static int murmur2(byte[] data) {
        int len = data.length;
        int h = len;
        int i = 0;
        while (len >= 4) {
            int k = (data[i] & 0xff) | (data[i + 1] & 0xff) << 8 | (data[i + 2] & 0xff) << 16 | (data[i + 3] & 0xff) << 24;
            k *= 0x5bd1e995;
            k ^= k >>> 24;
            k *= 0x5bd1e995;
            h *= 0x5bd1e995;
            h ^= k;
            i += 4;
            len -= 4;
        }
        switch (len) {
            case 3:
                h ^= (data[i + 2] & 0xff) << 16;
                // fall through
            case 2:
                h ^= (data[i + 1] & 0xff) << 8;
                // fall through
            case 1:
                h ^= data[i] & 0xff;
                h *= 0x5bd1e995;
                break;
            default:
                break;
        }
        h ^= h >>> 13;
        h *= 0x5bd1e995;
        h ^= h >>> 15;
        return h;
    }
}
