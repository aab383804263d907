package dev.portico.routing;

import static dev.portico.config.directive.Context.HTTP_SRV_LOC;
import static dev.portico.config.directive.Context.HTTP_SRV_LOC_LIF;

import dev.portico.config.ConfNode;
import dev.portico.config.ConfigException;
import dev.portico.config.directive.Arity;
import dev.portico.config.directive.Directive;
import dev.portico.config.directive.Level;
import dev.portico.config.directive.Slot;
import dev.portico.core.BuildContext;
import dev.portico.http.PipelineModule;
import dev.portico.http.RequestPipeline;
import dev.portico.variables.Template;
import dev.portico.variables.Variables;
import java.util.List;

/**
 * {@code error_page} and {@code recursive_error_pages} (ngx_http_core_module in nginx): which
 * page answers an error status, and whether a page's own errors may use error pages again.
 */
public final class ErrorPageModule implements PipelineModule {
    public ErrorPageModule() {
    }

    /** A list slot: a level with error_page directives of its own does not inherit the outer ones. */
    public static final Slot<List<ErrorPage>> ERROR_PAGES = Slot.of("error_page", null);
    public static final Slot<Boolean> RECURSIVE_ERROR_PAGES = Slot.of("recursive_error_pages", false);

    @Override
    public void contribute(RequestPipeline.Builder pipeline) {
        pipeline.errorPages(ErrorPageHandler::handle);
    }

    @Override
    public List<Directive> directives() {
        return List.of(
            Directive.simple("error_page", HTTP_SRV_LOC_LIF, Arity.TWO_OR_MORE, ErrorPageModule::errorPage),
            Directive.flag("recursive_error_pages", HTTP_SRV_LOC, RECURSIVE_ERROR_PAGES));
    }

    private static void errorPage(Level level, ConfNode node) throws ConfigException {
        List<String> a = node.args();
        int n = a.size();
        String candidate = a.get(n - 2);
        int overwrite = -1;
        int codes = n - 1;
        if (candidate.startsWith("=")) {
            if (n - 2 == 0) {
                throw node.error("invalid value \"" + candidate + "\"");
            }
            if (candidate.length() > 1) {
                overwrite = RewriteModule.atoi(candidate.substring(1));
                if (overwrite < 0) {
                    throw node.error("invalid value \"" + candidate + "\"");
                }
            } else {
                overwrite = 0;
            }
            codes = n - 2;
        }
        String uri = a.get(n - 1);
        Template target = Template.compile(uri, Variables.of(level.nearest(BuildContext.class)));
        String args = null;
        if (target.isConstant()) {
            int q = uri.indexOf('?');
            if (!uri.isEmpty() && uri.charAt(0) == '/' && q >= 0) {
                args = uri.substring(q + 1);
                target = Template.literal(uri.substring(0, q));
            } else {
                args = "";
            }
        }
        for (int i = 0; i < codes; i++) {
            String v = a.get(i);
            int status = RewriteModule.atoi(v);
            if (status < 0 || status == 499) {
                throw node.error("invalid value \"" + v + "\"");
            }
            if (status < 300 || status > 599) {
                throw node.error("value \"" + v + "\" must be between 300 and 599");
            }
            int ow = overwrite;
            if (ow == -1 && (status == 494 || status == 495 || status == 496 || status == 497)) {
                // nginx answers these internal codes as 400 unless told otherwise
                ow = 400;
            }
            level.add(ERROR_PAGES, new ErrorPage(status, ow, target, args));
        }
    }
}
