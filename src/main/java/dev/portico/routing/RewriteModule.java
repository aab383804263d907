package dev.portico.routing;

import static dev.portico.config.directive.Context.HTTP;
import static dev.portico.config.directive.Context.IF_IN_LOCATION;
import static dev.portico.config.directive.Context.IF_IN_SERVER;
import static dev.portico.config.directive.Context.LOCATION;
import static dev.portico.config.directive.Context.SERVER;

import dev.portico.config.ConfNode;
import dev.portico.config.ConfigException;
import dev.portico.config.directive.Arity;
import dev.portico.config.directive.Context;
import dev.portico.config.directive.Directive;
import dev.portico.config.directive.Dispatcher;
import dev.portico.config.directive.Level;
import dev.portico.config.directive.Slot;
import dev.portico.core.BuildContext;
import dev.portico.http.Location;
import dev.portico.http.LocationBuilder;
import dev.portico.http.PipelineModule;
import dev.portico.http.RequestPipeline;
import dev.portico.http.RewriteStep;
import dev.portico.http.RewriteSteps;
import dev.portico.observability.ErrorLog;
import dev.portico.observability.LogLevel;
import dev.portico.variables.Template;
import dev.portico.variables.VariableSetter;
import dev.portico.variables.Variables;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * ngx_http_rewrite_module: {@code rewrite}, {@code return}, {@code break}, {@code if},
 * {@code set}, run in order in the server and location rewrite phases, plus
 * {@code rewrite_log} and {@code uninitialized_variable_warn}.
 */
public final class RewriteModule implements PipelineModule {
    public RewriteModule() {
    }

    public static final Slot<Boolean> REWRITE_LOG = Slot.of("rewrite_log", false);
    public static final Slot<Boolean> UNINITIALIZED_VARIABLE_WARN = Slot.of("uninitialized_variable_warn", true);

    private static final Set<Context> STATEMENT = EnumSet.of(SERVER, IF_IN_SERVER, LOCATION, IF_IN_LOCATION);
    private static final Set<Context> FLAGS = EnumSet.of(HTTP, SERVER, IF_IN_SERVER, LOCATION, IF_IN_LOCATION);
    private static final RewriteStep BREAK = ex -> {
        ex.uriChanged(false);
        return RewriteStep.Flow.BREAK;
    };

    /** Owner of an {@code if} block's level in a server (its statements only; settings do not switch). */
    private record ServerIf(ConfNode node) {
    }

    @Override
    public void afterBuild(BuildContext build) throws ConfigException {
        IfLocations.compile(build);
    }

    @Override
    public void contribute(RequestPipeline.Builder pipeline) {
        pipeline.variables().onUnsetRead((ex, name) -> {
            if (ex.settings().get(UNINITIALIZED_VARIABLE_WARN)) {
                ErrorLog.of(ex).log(LogLevel.WARN, ex.connection().id(),
                    "using uninitialized \"" + name + "\" variable" + ErrorLog.context(ex));
            }
        });
    }

    @Override
    public List<Directive> directives() {
        return List.of(
            Directive.simple("rewrite", STATEMENT, Arity.TAKE23, RewriteModule::rewrite),
            Directive.simple("return", STATEMENT, Arity.TAKE12, RewriteModule::returnDirective),
            Directive.simple("break", STATEMENT, Arity.NONE, (level, node) -> steps(level).add(BREAK)),
            new Directive("if", EnumSet.of(SERVER, LOCATION), Arity.ONE_OR_MORE, true, RewriteModule::ifBlock),
            Directive.simple("set", STATEMENT, Arity.TAKE2, RewriteModule::set),
            Directive.flag("rewrite_log", FLAGS, REWRITE_LOG),
            Directive.flag("uninitialized_variable_warn", FLAGS, UNINITIALIZED_VARIABLE_WARN));
    }

    private static RewriteSteps steps(Level level) {
        return level.attachment(RewriteSteps.class, RewriteSteps::new);
    }

    private static Variables variables(Level level) {
        return Variables.of(level.nearest(BuildContext.class));
    }

    private static void rewrite(Level level, ConfNode node) throws ConfigException {
        String replacement = node.arg(1);
        if (replacement.isEmpty()) {
            throw node.error("empty replacement");
        }
        Pattern regex = RegexCompiler.compile(node, node.arg(0), false);
        boolean addArgs = true;
        if (replacement.endsWith("?")) {
            // a trailing "?" drops the original arguments
            replacement = replacement.substring(0, replacement.length() - 1);
            addArgs = false;
        }
        int status = 0;
        if (replacement.startsWith("http://") || replacement.startsWith("https://") || replacement.startsWith("$scheme")) {
            status = 302;
        }
        RewriteRule.Flag flag = RewriteRule.Flag.NONE;
        if (node.argCount() == 3) {
            switch (node.arg(2)) {
                case "last" -> flag = RewriteRule.Flag.LAST;
                case "break" -> flag = RewriteRule.Flag.BREAK;
                case "redirect" -> {
                    flag = RewriteRule.Flag.REDIRECT;
                    status = 302;
                }
                case "permanent" -> {
                    flag = RewriteRule.Flag.PERMANENT;
                    status = 301;
                }
                default -> throw node.error("invalid parameter \"" + node.arg(2) + "\"");
            }
        }
        Replacement r = Replacement.compile(replacement, variables(level), status == 0);
        steps(level).add(new RewriteRule(regex, node.arg(0), r, addArgs, status, flag));
    }

    private static void returnDirective(Level level, ConfNode node) throws ConfigException {
        Variables vars = variables(level);
        String first = node.arg(0);
        int code = atoi(first);
        Template text = null;
        if (code < 0) {
            if (node.argCount() == 1 && (first.startsWith("http://") || first.startsWith("https://") || first.startsWith("$scheme"))) {
                code = 302;
                text = Template.compile(first, vars);
            } else {
                throw node.error("invalid return code \"" + first + "\"");
            }
        } else {
            if (code > 999) {
                throw node.error("invalid return code \"" + first + "\"");
            }
            if (node.argCount() == 2) {
                text = Template.compile(node.arg(1), vars);
            }
        }
        steps(level).add(new ReturnStep(code, text));
    }

    private static void set(Level level, ConfNode node) throws ConfigException {
        String name = node.arg(0);
        if (name.isEmpty() || name.charAt(0) != '$') {
            throw node.error("invalid variable name \"" + name + "\"");
        }
        name = name.substring(1);
        Variables vars = variables(level);
        VariableSetter target = vars.setter(name);
        if (target == null) {
            // a built-in that has no setter cannot be assigned, as nginx's non-changeable variables
            if (vars.isBuiltin(name)) {
                throw node.error("the duplicate \"" + name + "\" variable");
            }
            int index = vars.declareSettable(name);
            target = (ex, v) -> ex.settableVariable(index, v);
        }
        steps(level).add(new SetStep(target, Template.compile(node.arg(1), vars)));
    }

    private static void ifBlock(Level level, ConfNode node, Dispatcher d) throws ConfigException {
        BuildContext build = level.nearest(BuildContext.class);
        Condition condition = ConditionParser.parse(node, Variables.of(build));
        if (level.context() == SERVER) {
            Level block = new Level(IF_IN_SERVER, level, node, new ServerIf(node));
            d.apply(block, node.children());
            steps(level).add(new IfStep(condition, steps(block).list()));
            return;
        }
        LocationBuilder parent = level.owner(LocationBuilder.class);
        LocationBuilder pseudo = new LocationBuilder(Location.Kind.IF, parent.name(), null, node);
        Level block = new Level(IF_IN_LOCATION, level, node, pseudo);
        pseudo.level(block);
        d.apply(block, node.children());
        IfStep step = new IfStep(condition, steps(block).list());
        steps(level).add(step);
        build.registry(IfLocations.class, IfLocations::new).add(step, pseudo);
    }

    /** nginx's ngx_atoi: digits only; -1 when not a number (or beyond an int). */
    static int atoi(String s) {
        if (s.isEmpty() || s.length() > 18) {
            return -1;
        }
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n > Integer.MAX_VALUE ? -1 : (int) n;
    }
}
