package dev.portico.routing;

import dev.portico.config.ConfNode;
import dev.portico.config.ConfigException;
import dev.portico.config.directive.Arity;
import dev.portico.config.directive.Context;
import dev.portico.config.directive.Directive;
import dev.portico.config.directive.Level;
import dev.portico.core.BuildContext;
import dev.portico.http.RewriteSteps;
import dev.portico.variables.Template;
import java.util.EnumSet;
import java.util.List;

/** ngx_http_rewrite_module: statements run in order in the server and location rewrite phases. */
public final class RewriteModule {
    private RewriteModule() {
    }

    public static List<Directive> directives() {
        return List.of(
            Directive.simple("return", EnumSet.of(Context.SERVER, Context.LOCATION, Context.IF_IN_SERVER, Context.IF_IN_LOCATION),
                Arity.TAKE12, RewriteModule::returnDirective));
    }

    private static void returnDirective(Level level, ConfNode node) throws ConfigException {
        BuildContext build = level.nearest(BuildContext.class);
        String first = node.arg(0);
        int code;
        Template text = null;
        if (first.chars().allMatch(Character::isDigit) && !first.isEmpty() && first.length() <= 3) {
            code = Integer.parseInt(first);
            if (node.argCount() == 2) {
                text = Template.compile(node.arg(1), build.variables());
            }
        } else if (node.argCount() == 1 && (first.startsWith("http://") || first.startsWith("https://") || first.startsWith("$scheme"))) {
            code = 302;
            text = Template.compile(first, build.variables());
        } else {
            throw node.error("invalid return code \"" + first + "\"");
        }
        level.attachment(RewriteSteps.class, RewriteSteps::new).add(new ReturnStep(code, text));
    }
}
