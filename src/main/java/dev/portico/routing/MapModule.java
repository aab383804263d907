package dev.portico.routing;

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
import java.util.EnumSet;
import java.util.List;

/**
 * ngx_http_map_module: {@code map string $variable { ... }} defines a variable whose value
 * depends on another value. The block's lines are source/value pairs (not directives) plus the
 * special parameters {@code default}, {@code hostnames} and {@code volatile}; {@code include}
 * was expanded by the parser.
 */
public final class MapModule implements Module {
    public MapModule() {
    }

    @Override
    public List<Directive> directives() {
        return List.of(
            new Directive("map", EnumSet.of(HTTP), Arity.TAKE2, true, MapModule::map),
            // hash sizing has no meaning for Java maps: accepted as in nginx, ignored
            Directive.noop("map_hash_max_size", EnumSet.of(HTTP), Arity.TAKE1),
            Directive.noop("map_hash_bucket_size", EnumSet.of(HTTP), Arity.TAKE1));
    }

    private static void map(Level level, ConfNode node, Dispatcher d) throws ConfigException {
        Variables vars = Variables.of(level.nearest(BuildContext.class));
        Template source = Template.compile(node.arg(0), vars);
        String name = node.arg(1);
        if (name.isEmpty() || name.charAt(0) != '$') {
            throw node.error("invalid variable name \"" + name + "\"");
        }
        name = name.substring(1);
        // nginx lets map define a changeable built-in ($args, $limit_rate): its value is then read from the map
        if (vars.isBuiltin(name) && vars.setter(name) == null) {
            throw node.error("the duplicate \"" + name + "\" variable");
        }
        MapTable<Template> table = new MapTable<>();
        Template defaultValue = null;
        boolean hostnames = false;
        boolean volatileValue = false;
        for (ConfNode entry : node.children()) {
            if (entry.isBlock()) {
                throw entry.error("unexpected \"{\"");
            }
            int words = 1 + entry.argCount();
            String key = entry.name();
            if (words == 1 && key.equals("hostnames")) {
                hostnames = true;
                continue;
            }
            if (words == 1 && key.equals("volatile")) {
                volatileValue = true;
                continue;
            }
            if (words != 2) {
                throw entry.error("invalid number of the map parameters");
            }
            Template value;
            try {
                value = Template.compile(entry.arg(0), vars);
            } catch (ConfigException e) {
                throw e.at(entry);
            }
            if (key.equals("default")) {
                if (defaultValue != null) {
                    throw entry.error("duplicate default map parameter");
                }
                defaultValue = value;
                continue;
            }
            if (key.startsWith("~")) {
                String re = key.substring(1);
                boolean caseless = re.startsWith("*");
                if (caseless) {
                    re = re.substring(1);
                }
                table.addRegex(RegexCompiler.compile(entry, re, caseless), value);
                continue;
            }
            if (key.startsWith("\\")) {
                key = key.substring(1);
            }
            switch (table.add(key, value, hostnames)) {
                case INVALID_WILDCARD -> throw entry.error("invalid hostname or wildcard \"" + key + "\"");
                case CONFLICT -> throw entry.error("conflicting parameter \"" + key + "\"");
                default -> {
                }
            }
        }
        try {
            vars.define(name, new MapVariable(name, source, table, defaultValue, hostnames, volatileValue));
        } catch (ConfigException e) {
            throw e.at(node);
        }
    }
}
