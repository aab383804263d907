package dev.portico.staticfiles;

import static dev.portico.config.directive.Context.HTTP_SRV_LOC;
import static dev.portico.config.directive.Context.HTTP_SRV_LOC_LIF;
import static dev.portico.config.directive.Context.LOCATION;
import static dev.portico.config.directive.Context.SRV_LOC;

import dev.portico.config.ConfNode;
import dev.portico.config.ConfigException;
import dev.portico.config.directive.Arity;
import dev.portico.config.directive.Directive;
import dev.portico.config.directive.Level;
import dev.portico.config.directive.Slot;
import dev.portico.config.directive.ValueParser;
import dev.portico.config.directive.Values;
import dev.portico.core.BuildContext;
import dev.portico.http.Location;
import dev.portico.http.LocationBuilder;
import dev.portico.http.Phase;
import dev.portico.http.PipelineModule;
import dev.portico.http.RequestPipeline;
import dev.portico.observability.ErrorLog;
import dev.portico.variables.Template;
import dev.portico.variables.Variables;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The directives for serving files: core's root, alias, try_files, types and the file response
 * settings, plus ngx_http_index_module, ngx_http_autoindex_module and ngx_http_charset_module.
 */
public final class StaticModule implements PipelineModule {
    public StaticModule() {
    }

    static final Slot<DocRoot> ROOT = Slot.of("root", null);
    static final Slot<List<Template>> INDEX = Slot.of("index", List.of(Template.literal("index.html")));
    /** Not inherited: nginx does not merge try_files into nested locations. */
    static final Slot<TryFiles> TRY_FILES = Slot.local("try_files", null);
    static final Slot<Boolean> AUTOINDEX = Slot.of("autoindex", false);
    static final Slot<AutoIndex.Format> AUTOINDEX_FORMAT = Slot.of("autoindex_format", AutoIndex.Format.HTML);
    static final Slot<Boolean> AUTOINDEX_LOCALTIME = Slot.of("autoindex_localtime", false);
    static final Slot<Boolean> AUTOINDEX_EXACT_SIZE = Slot.of("autoindex_exact_size", true);
    static final Slot<MimeTypes> TYPES = Slot.of("types", MimeTypes.DEFAULT);
    static final Slot<CharsetFilter.Setting> CHARSET = Slot.of("charset", CharsetFilter.Setting.OFF);
    static final Slot<CharsetFilter.Types> CHARSET_TYPES = Slot.of("charset_types", CharsetFilter.Types.DEFAULT);
    static final Slot<String> SOURCE_CHARSET = Slot.of("source_charset", null);
    static final Slot<Boolean> OVERRIDE_CHARSET = Slot.of("override_charset", false);
    static final Slot<Boolean> ETAG = Slot.of("etag", true);
    static final Slot<ModifiedSince> IF_MODIFIED_SINCE = Slot.of("if_modified_since", ModifiedSince.EXACT);
    static final Slot<Integer> MAX_RANGES = Slot.of("max_ranges", Integer.MAX_VALUE);
    static final Slot<SymlinkPolicy> DISABLE_SYMLINKS = Slot.of("disable_symlinks", SymlinkPolicy.OFF);
    static final Slot<Boolean> LOG_NOT_FOUND = Slot.of("log_not_found", true);

    /** {@code if_modified_since off | exact | before}. */
    enum ModifiedSince { OFF, EXACT, BEFORE }

    @Override
    public void contribute(RequestPipeline.Builder pipeline) {
        pipeline.variables()
            .builtin("document_root", ex -> StaticContent.docRoot(ex).base(ex))
            .builtin("realpath_root", StaticContent::realpathRoot)
            .builtin("request_filename", ex -> StaticContent.requestFilename(ex));
        pipeline.headerFilter(CharsetFilter::filter);
        pipeline.headerFilter(FileResponse::unsatisfiableRangeHeader);
        pipeline.handler(Phase.PRECONTENT, TryFiles::handler);
    }

    @Override
    public List<Directive> directives() {
        return List.of(
            Directive.simple("root", HTTP_SRV_LOC_LIF, Arity.TAKE1, (level, node) -> rootOrAlias(level, node, false)),
            Directive.simple("alias", EnumSet.of(LOCATION), Arity.TAKE1, (level, node) -> rootOrAlias(level, node, true)),
            Directive.simple("index", HTTP_SRV_LOC, Arity.ONE_OR_MORE, StaticModule::index),
            Directive.simple("try_files", SRV_LOC, Arity.TWO_OR_MORE, (level, node) ->
                level.set(TRY_FILES, TryFiles.parse(node, Variables.of(level.nearest(BuildContext.class))), node)),
            Directive.flag("autoindex", HTTP_SRV_LOC, AUTOINDEX),
            Directive.value("autoindex_format", HTTP_SRV_LOC, AUTOINDEX_FORMAT, word(AutoIndex.Format.class)),
            Directive.flag("autoindex_localtime", HTTP_SRV_LOC, AUTOINDEX_LOCALTIME),
            Directive.flag("autoindex_exact_size", HTTP_SRV_LOC, AUTOINDEX_EXACT_SIZE),
            new Directive("types", HTTP_SRV_LOC, Arity.NONE, true, (level, node, d) -> {
                MimeTypes own = level.getOwn(TYPES);
                if (own == null) {
                    own = new MimeTypes();
                    level.put(TYPES, own);
                }
                own.read(node);
            }),
            Directive.simple("charset", HTTP_SRV_LOC_LIF, Arity.TAKE1, (level, node) -> {
                String v = node.arg(0);
                level.set(CHARSET, v.equals("off") ? CharsetFilter.Setting.OFF
                    : new CharsetFilter.Setting(Template.compile(v, Variables.of(level.nearest(BuildContext.class)))), node);
            }),
            Directive.simple("charset_types", HTTP_SRV_LOC, Arity.ONE_OR_MORE, StaticModule::charsetTypes),
            Directive.simple("source_charset", HTTP_SRV_LOC_LIF, Arity.TAKE1, (level, node) -> level.set(SOURCE_CHARSET, node.arg(0), node)),
            Directive.flag("override_charset", HTTP_SRV_LOC_LIF, OVERRIDE_CHARSET),
            Directive.flag("etag", HTTP_SRV_LOC, ETAG),
            Directive.value("if_modified_since", HTTP_SRV_LOC, IF_MODIFIED_SINCE, word(ModifiedSince.class)),
            Directive.value("max_ranges", HTTP_SRV_LOC, MAX_RANGES, Values::number),
            Directive.simple("disable_symlinks", HTTP_SRV_LOC, Arity.TAKE12, StaticModule::disableSymlinks),
            Directive.flag("log_not_found", HTTP_SRV_LOC, LOG_NOT_FOUND));
    }

    /** nginx's ngx_conf_set_enum_slot: one of a few words, else {@code invalid value "x"}. */
    private static <E extends Enum<E>> ValueParser<E> word(Class<E> type) {
        return (node, v) -> {
            for (E e : type.getEnumConstants()) {
                if (e.name().toLowerCase(Locale.ROOT).equals(v)) {
                    return e;
                }
            }
            throw node.error("invalid value \"" + v + "\"");
        };
    }

    private static void rootOrAlias(Level level, ConfNode node, boolean alias) throws ConfigException {
        String name = node.name();
        DocRoot existing = level.getOwn(ROOT);
        if (existing != null) {
            if (existing.isAlias() == alias) {
                throw node.error("\"" + name + "\" directive is duplicate");
            }
            throw node.error("\"" + name + "\" directive is duplicate, \""
                + (existing.isAlias() ? "alias" : "root") + "\" directive was specified earlier");
        }
        LocationBuilder location = level.owner() instanceof LocationBuilder lb ? lb : null;
        if (alias && location != null && location.kind() == Location.Kind.NAMED) {
            throw node.error("the \"alias\" directive cannot be used inside the named location");
        }
        String value = node.arg(0);
        for (String forbidden : new String[] {"document_root", "realpath_root"}) {
            if (value.contains("$" + forbidden) || value.contains("${" + forbidden + "}")) {
                throw node.error("the $" + forbidden + " variable cannot be used in the \"" + name + "\" directive");
            }
        }
        boolean absolute = value.startsWith("/");
        if (!alias && value.endsWith("/")) {
            value = value.substring(0, value.length() - 1);
        }
        BuildContext build = level.nearest(BuildContext.class);
        Template t = Template.compile(value, Variables.of(build));
        String constant = null;
        if (t.isConstant()) {
            constant = absolute ? value : DocRoot.full(build.prefix().prefix().toString(), value);
        }
        DocRoot.Kind kind = !alias ? DocRoot.Kind.ROOT
            : location != null && location.kind() == Location.Kind.REGEX ? DocRoot.Kind.REGEX_ALIAS : DocRoot.Kind.ALIAS;
        int aliasLength = kind == DocRoot.Kind.ALIAS && location != null ? location.name().length() : 0;
        level.put(ROOT, new DocRoot(kind, t, constant, aliasLength));
    }

    private static void index(Level level, ConfNode node) throws ConfigException {
        BuildContext build = level.nearest(BuildContext.class);
        for (int i = 0; i < node.argCount(); i++) {
            String v = node.arg(i);
            if (v.isEmpty()) {
                throw node.error("index \"" + node.arg(0) + "\" in \"index\" directive is invalid");
            }
            if (v.startsWith("/") && i != node.argCount() - 1) {
                ErrorLog.warn("only the last index in \"index\" directive should be absolute in " + node.file() + ":" + node.line());
            }
            level.add(INDEX, Template.compile(v, Variables.of(build)));
        }
    }

    private static void charsetTypes(Level level, ConfNode node) throws ConfigException {
        if (level.getOwn(CHARSET_TYPES) != null) {
            throw node.error("\"charset_types\" directive is duplicate");
        }
        Set<String> types = new HashSet<>();
        boolean any = false;
        for (String t : node.args()) {
            if (t.equals("*")) {
                any = true;
                continue;
            }
            if (!types.add(t.toLowerCase(Locale.ROOT))) {
                ErrorLog.warn("duplicate MIME type \"" + t + "\" in " + node.file() + ":" + node.line());
            }
        }
        level.put(CHARSET_TYPES, new CharsetFilter.Types(any, Set.copyOf(types)));
    }

    private static void disableSymlinks(Level level, ConfNode node) throws ConfigException {
        if (level.getOwn(DISABLE_SYMLINKS) != null) {
            throw node.error("\"disable_symlinks\" directive is duplicate");
        }
        SymlinkPolicy.Mode mode = null;
        Template from = null;
        for (String v : node.args()) {
            switch (v) {
                case "off" -> mode = SymlinkPolicy.Mode.OFF;
                case "on" -> mode = SymlinkPolicy.Mode.ON;
                case "if_not_owner" -> mode = SymlinkPolicy.Mode.IF_NOT_OWNER;
                default -> {
                    if (!v.startsWith("from=")) {
                        throw node.error("invalid parameter \"" + v + "\"");
                    }
                    from = Template.compile(v.substring(5), Variables.of(level.nearest(BuildContext.class)));
                }
            }
        }
        if (mode == null) {
            throw node.error("\"disable_symlinks\" must have \"off\", \"on\" or \"if_not_owner\" parameter");
        }
        if (node.argCount() == 2) {
            if (from == null) {
                throw node.error("duplicate parameters \"" + node.arg(0) + " " + node.arg(1) + "\"");
            }
            if (mode == SymlinkPolicy.Mode.OFF) {
                throw node.error("\"from=\" cannot be used with \"off\" parameter");
            }
        }
        level.put(DISABLE_SYMLINKS, new SymlinkPolicy(mode, from));
    }
}
