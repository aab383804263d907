package dev.portico.config.directive;

import dev.portico.config.ConfNode;
import dev.portico.config.ConfigException;
import java.util.Set;

/**
 * One row of the directive table: name, where it may stand, how many arguments, whether it opens
 * a block, and what it does to the level it stands in. Context, arity and block checks and their
 * messages are the dispatcher's, so a handler only deals with its values.
 */
public record Directive(String name, Set<Context> contexts, Arity arity, boolean block, Handler handler) {

    @FunctionalInterface
    public interface Handler {
        void apply(Level level, ConfNode node, Dispatcher dispatcher) throws ConfigException;
    }

    /** A simple directive whose handler ignores the dispatcher. */
    public static Directive simple(String name, Set<Context> contexts, Arity arity, SimpleHandler h) {
        return new Directive(name, contexts, arity, false, (level, node, d) -> h.apply(level, node));
    }

    @FunctionalInterface
    public interface SimpleHandler {
        void apply(Level level, ConfNode node) throws ConfigException;
    }

    /** A directive whose single value, parsed by {@code parser}, goes into {@code slot}. */
    public static <T> Directive value(String name, Set<Context> contexts, Slot<T> slot, ValueParser<T> parser) {
        return simple(name, contexts, Arity.TAKE1, (level, node) -> level.set(slot, parser.parse(node, node.arg(0)), node));
    }

    /** An {@code on|off} directive. */
    public static Directive flag(String name, Set<Context> contexts, Slot<Boolean> slot) {
        return value(name, contexts, slot, Values::flag);
    }

    /** A directive accepted for compatibility that changes nothing here; documented as such. */
    public static Directive noop(String name, Set<Context> contexts, Arity arity) {
        return simple(name, contexts, arity, (level, node) -> { });
    }
}
