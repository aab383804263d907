package dev.portico.security;

import static dev.portico.config.directive.Context.HTTP;
import static dev.portico.config.directive.Context.LIMIT_EXCEPT;
import static dev.portico.config.directive.Context.LOCATION;
import static dev.portico.config.directive.Context.SERVER;

import dev.portico.config.ConfNode;
import dev.portico.config.ConfigException;
import dev.portico.config.directive.Arity;
import dev.portico.config.directive.Directive;
import dev.portico.config.directive.Level;
import dev.portico.config.directive.Settings;
import dev.portico.config.directive.Slot;
import dev.portico.core.BuildContext;
import dev.portico.core.ServerState;
import dev.portico.core.Snapshot;
import dev.portico.http.Phase;
import dev.portico.http.PhaseHandler;
import dev.portico.http.PipelineModule;
import dev.portico.http.RequestPipeline;
import dev.portico.variables.Template;
import dev.portico.variables.Variables;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * ngx_http_auth_basic_module: {@code auth_basic realm | off} and {@code auth_basic_user_file}.
 * The user file (relative to the configuration's directory) is read when the configuration
 * loads (a reload reads it again); a location
 * gets a handler only where both are set and the realm is not {@code off}.
 */
public final class AuthBasicModule implements PipelineModule {
    /** An {@code auth_basic} line: the realm and the refusal counts of the line (null for {@code off}). */
    record Realm(Template text, AuthBasic.Counts counts) {
    }

    static final Slot<Realm> REALM = Slot.of("auth_basic", null);
    static final Slot<String> USER_FILE = Slot.of("auth_basic_user_file", null);

    /** The user files of one configuration, read once each. */
    private static final class Files {
        final Map<Path, HtpasswdFile> byPath = new HashMap<>();
    }

    public AuthBasicModule() {
    }

    @Override
    public List<Directive> directives() {
        EnumSet<dev.portico.config.directive.Context> where = EnumSet.of(HTTP, SERVER, LOCATION, LIMIT_EXCEPT);
        return List.of(
            Directive.simple("auth_basic", where, Arity.TAKE1, AuthBasicModule::realm),
            Directive.simple("auth_basic_user_file", where, Arity.TAKE1, (level, node) -> {
                if (node.arg(0).indexOf('$') >= 0) {
                    // nginx opens the file per request when it names variables; Portico reads files at load
                    throw node.error("variables in \"auth_basic_user_file\" are not supported");
                }
                level.set(USER_FILE, node.arg(0), node);
            }));
    }

    private static void realm(Level level, ConfNode node) throws ConfigException {
        BuildContext build = level.nearest(BuildContext.class);
        Template text = Template.compile(node.arg(0), Variables.of(build));
        AuthBasic.Counts counts = null;
        if (!isOff(text)) {
            // one line is one set of counts, wherever it is inherited; a reload keeps it where it stands
            counts = Refusals.line(build, "auth_basic", node, "auth_basic \"" + node.arg(0) + "\"", AuthBasic.Counts.class,
                AuthBasic.Counts::new);
        }
        level.set(REALM, new Realm(text, counts), node);
    }

    private static boolean isOff(Template realm) {
        return realm.isConstant() && "off".equals(realm.source());
    }

    @Override
    public void contribute(RequestPipeline.Builder pipeline) {
        pipeline.handler(Phase.ACCESS, AuthBasicModule::handler);
    }

    private static PhaseHandler handler(Settings s, BuildContext build) throws ConfigException {
        Realm realm = s.get(REALM);
        String file = s.get(USER_FILE);
        if (realm == null || file == null || isOff(realm.text())) {
            return null;
        }
        // relative to the configuration's directory, as nginx (ngx_conf_full_name with the conf prefix)
        Path path = build.prefix().confDir().resolve(dev.portico.bytes.ByteStrings.toText(file)).normalize();
        HtpasswdFile users = build.registry(Files.class, Files::new).byPath.computeIfAbsent(path, HtpasswdFile::read);
        return new AuthBasic(realm.text(), users, realm.counts());
    }

    @Override
    public void activate(Snapshot next, Snapshot previous, ServerState server) {
        Refusals.activate(next, server);
    }
}
