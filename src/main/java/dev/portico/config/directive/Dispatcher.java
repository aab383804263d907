package dev.portico.config.directive;

import dev.portico.config.ConfNode;
import dev.portico.config.ConfigException;
import java.util.List;

/**
 * Applies the directives of a block to its level. Every check that nginx's ngx_conf_handler
 * makes, with its message, is here and nowhere else: unknown directive, not allowed here,
 * missing block, missing {@code ;}, wrong number of arguments.
 */
public final class Dispatcher {
    private final DirectiveTable table;

    public Dispatcher(DirectiveTable table) {
        this.table = table;
    }

    public DirectiveTable table() {
        return table;
    }

    public void apply(Level level, List<ConfNode> nodes) throws ConfigException {
        for (ConfNode node : nodes) {
            apply(level, node);
        }
    }

    public void apply(Level level, ConfNode node) throws ConfigException {
        if (node.syntaxError() != null) {
            // the parse stopped here: every directive before it was applied without error
            throw node.syntaxError();
        }
        Directive d = table.get(node.name(), level.context());
        if (d == null) {
            throw node.error("unknown directive \"" + node.name() + "\"");
        }
        if (!d.contexts().contains(level.context())) {
            throw node.error("\"" + node.name() + "\" directive is not allowed here");
        }
        if (d.block() && !node.isBlock()) {
            throw node.error("directive \"" + node.name() + "\" has no opening \"{\"");
        }
        if (!d.block() && node.isBlock()) {
            throw node.error("directive \"" + node.name() + "\" is not terminated by \";\"");
        }
        if (!d.arity().accepts(node.argCount())) {
            throw node.error("invalid number of arguments in \"" + node.name() + "\" directive");
        }
        try {
            d.handler().apply(level, node, this);
        } catch (ConfigException e) {
            throw e.at(node);
        }
    }
}
