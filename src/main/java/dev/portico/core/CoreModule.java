package dev.portico.core;

import static dev.portico.config.directive.Context.EVENTS;
import static dev.portico.config.directive.Context.MAIN;

import dev.portico.config.ConfNode;
import dev.portico.config.ConfigException;
import dev.portico.config.directive.Arity;
import dev.portico.config.directive.Context;
import dev.portico.config.directive.Directive;
import dev.portico.config.directive.Level;
import dev.portico.config.directive.Slot;
import dev.portico.config.directive.Values;
import java.util.EnumSet;
import java.util.List;

/** Main and events context: processes, pid, error log, events. */
public final class CoreModule implements Module {
    public CoreModule() {
    }

    /** Number of event-loop threads; 0 means {@code auto} (one per core). */
    public static final Slot<Integer> WORKER_PROCESSES = Slot.of("worker_processes", 1);
    public static final Slot<Boolean> DAEMON = Slot.of("daemon", true);
    /** Default {@code logs/nginx.pid}; an installation's layout may name another (the launcher's lib/layout). */
    public static final Slot<String> PID = Slot.of("pid", System.getProperty("portico.pidPath", "logs/nginx.pid"));
    public static final Slot<Integer> WORKER_CONNECTIONS = Slot.of("worker_connections", 512);
    public static final Slot<Long> WORKER_SHUTDOWN_TIMEOUT = Slot.of("worker_shutdown_timeout", 0L);
    public static final Slot<List<String>> ENV = Slot.of("env", List.of());

    @Override
    public List<Directive> directives() {
        return List.of(
            Directive.simple("worker_processes", EnumSet.of(MAIN), Arity.TAKE1, (level, node) -> {
                String v = node.arg(0);
                int n = v.equals("auto") ? 0 : v.chars().allMatch(Character::isDigit) && !v.isEmpty() && v.length() < 7
                    ? Integer.parseInt(v) : -1;
                if (n < 0 || n == 0 && !v.equals("auto")) {
                    throw node.error("\"worker_processes\" directive invalid value");
                }
                level.set(WORKER_PROCESSES, n, node);
            }),
            Directive.flag("daemon", EnumSet.of(MAIN), DAEMON),
            Directive.simple("master_process", EnumSet.of(MAIN), Arity.TAKE1, (level, node) -> Values.flag(node, node.arg(0))),
            Directive.simple("pid", EnumSet.of(MAIN), Arity.TAKE1, (level, node) -> level.set(PID, node.arg(0), node)),
            Directive.simple("env", EnumSet.of(MAIN), Arity.TAKE1, (level, node) -> level.add(ENV, node.arg(0))),
            Directive.noop("user", EnumSet.of(MAIN), Arity.TAKE12),
            Directive.noop("worker_rlimit_nofile", EnumSet.of(MAIN), Arity.TAKE1),
            Directive.noop("worker_cpu_affinity", EnumSet.of(MAIN), Arity.ONE_OR_MORE),
            Directive.noop("worker_priority", EnumSet.of(MAIN), Arity.TAKE1),
            Directive.noop("timer_resolution", EnumSet.of(MAIN), Arity.TAKE1),
            Directive.simple("pcre_jit", EnumSet.of(MAIN), Arity.TAKE1, (level, node) -> Values.flag(node, node.arg(0))),
            Directive.noop("thread_pool", EnumSet.of(MAIN), Arity.TAKE23),
            Directive.simple("worker_shutdown_timeout", EnumSet.of(MAIN), Arity.TAKE1,
                (level, node) -> level.set(WORKER_SHUTDOWN_TIMEOUT, Values.timeMillis(node, node.arg(0)), node)),
            new Directive("events", EnumSet.of(MAIN), Arity.NONE, true, (level, node, d) -> {
                if (level.getOwn(EVENTS_SEEN) != null) {
                    throw node.error("\"events\" directive is duplicate");
                }
                level.put(EVENTS_SEEN, Boolean.TRUE);
                d.apply(new Level(EVENTS, level, node, level.owner()), node.children());
            }),
            Directive.simple("worker_connections", EnumSet.of(EVENTS), Arity.TAKE1,
                (level, node) -> level.parent().set(WORKER_CONNECTIONS, connections(node, node.arg(0)), node)),
            Directive.noop("use", EnumSet.of(EVENTS), Arity.TAKE1),
            Directive.simple("multi_accept", EnumSet.of(EVENTS), Arity.TAKE1, (level, node) -> Values.flag(node, node.arg(0))),
            Directive.simple("accept_mutex", EnumSet.of(EVENTS), Arity.TAKE1, (level, node) -> Values.flag(node, node.arg(0))),
            Directive.noop("accept_mutex_delay", EnumSet.of(EVENTS), Arity.TAKE1));
    }

    public static final Slot<Boolean> EVENTS_SEEN = Slot.local("events_seen", null);

    /** nginx's ngx_event_connections: digits, else {@code invalid number "v"}; too few is found once the file is read. */
    private static int connections(ConfNode node, String v) throws ConfigException {
        try {
            return Values.number(node, v);
        } catch (ConfigException e) {
            throw node.error("invalid number \"" + v + "\"");
        }
    }
}
