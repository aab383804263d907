package dev.portico.http.headers;

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
import java.util.ArrayList;
import java.util.List;

/**
 * ngx_http_headers_module: {@code add_header}, {@code add_trailer}, their
 * {@code *_inherit} rules, and {@code expires}, applied by {@link HeadersFilter}.
 */
public final class HeadersModule implements PipelineModule {
    public HeadersModule() {
    }

    static final Slot<FieldList> HEADERS = Slot.of("add_header", null);
    static final Slot<FieldList> TRAILERS = Slot.of("add_trailer", null);
    static final Slot<InheritMode> HEADERS_INHERIT = Slot.of("add_header_inherit", InheritMode.ON);
    static final Slot<InheritMode> TRAILERS_INHERIT = Slot.of("add_trailer_inherit", InheritMode.ON);
    static final Slot<Expires> EXPIRES = Slot.of("expires", Expires.OFF);

    /** Every field list of a configuration, merged once all directives are read. */
    private static final class Lists {
        final List<FieldList> all = new ArrayList<>();
    }

    @Override
    public void contribute(RequestPipeline.Builder pipeline) {
        pipeline.headerFilter(HeadersFilter::filterHead);
        pipeline.trailerFilter(HeadersFilter::filterTrailers);
    }

    @Override
    public void afterBuild(BuildContext build) {
        Lists lists = build.registry(Lists.class);
        if (lists != null) {
            lists.all.forEach(FieldList::resolve);
        }
    }

    @Override
    public List<Directive> directives() {
        return List.of(
            Directive.simple("add_header", HTTP_SRV_LOC_LIF, Arity.TAKE23,
                (level, node) -> addField(level, node, HEADERS, HEADERS_INHERIT, true)),
            Directive.simple("add_trailer", HTTP_SRV_LOC_LIF, Arity.TAKE23,
                (level, node) -> addField(level, node, TRAILERS, TRAILERS_INHERIT, false)),
            Directive.simple("add_header_inherit", HTTP_SRV_LOC_LIF, Arity.TAKE1,
                (level, node) -> inherit(level, node, HEADERS, HEADERS_INHERIT)),
            Directive.simple("add_trailer_inherit", HTTP_SRV_LOC_LIF, Arity.TAKE1,
                (level, node) -> inherit(level, node, TRAILERS, TRAILERS_INHERIT)),
            Directive.simple("expires", HTTP_SRV_LOC_LIF, Arity.TAKE12, HeadersModule::expires));
    }

    private static FieldList list(Level level, Slot<FieldList> slot, Slot<InheritMode> mode) {
        FieldList l = level.getOwn(slot);
        if (l == null) {
            l = new FieldList(level, slot, mode);
            level.put(slot, l);
            level.nearest(BuildContext.class).registry(Lists.class, Lists::new).all.add(l);
        }
        return l;
    }

    private static void addField(Level level, ConfNode node, Slot<FieldList> slot, Slot<InheritMode> mode, boolean header)
        throws ConfigException {
        boolean always = false;
        if (node.argCount() == 3) {
            if (!node.arg(2).equals("always")) {
                throw node.error("invalid parameter \"" + node.arg(2) + "\"");
            }
            always = true;
        }
        Template value = node.arg(1).isEmpty() ? Template.literal("")
            : Template.compile(node.arg(1), Variables.of(level.nearest(BuildContext.class)));
        list(level, slot, mode).add(HeaderField.of(node.arg(0), value, always, header));
    }

    private static void inherit(Level level, ConfNode node, Slot<FieldList> slot, Slot<InheritMode> mode)
        throws ConfigException {
        InheritMode m = switch (node.arg(0)) {
            case "on" -> InheritMode.ON;
            case "off" -> InheritMode.OFF;
            case "merge" -> InheritMode.MERGE;
            default -> throw node.error("invalid value \"" + node.arg(0) + "\"");
        };
        level.set(mode, m, node);
        list(level, slot, mode);
    }

    private static void expires(Level level, ConfNode node) throws ConfigException {
        if (level.getOwn(EXPIRES) != null) {
            throw node.error("\"expires\" directive is duplicate");
        }
        Expires.Mode mode = Expires.Mode.ACCESS;
        String v = node.arg(0);
        if (node.argCount() == 2) {
            if (!v.equals("modified")) {
                throw node.error("\"expires\" directive invalid value");
            }
            mode = Expires.Mode.MODIFIED;
            v = node.arg(1);
        }
        Template t = Template.compile(v, Variables.of(level.nearest(BuildContext.class)));
        if (!t.isConstant()) {
            level.put(EXPIRES, new Expires(mode, 0, t));
            return;
        }
        Expires.Parsed p = Expires.parse(v, mode);
        if (p.error() != null) {
            throw node.error("\"expires\" directive " + p.error());
        }
        level.put(EXPIRES, new Expires(p.mode(), p.seconds(), null));
    }
}
