package dev.portico.security;

import static dev.portico.config.directive.Context.HTTP;
import static dev.portico.config.directive.Context.LIMIT_EXCEPT;
import static dev.portico.config.directive.Context.LOCATION;
import static dev.portico.config.directive.Context.SERVER;

import dev.portico.config.ConfigException;
import dev.portico.config.directive.Arity;
import dev.portico.config.directive.Directive;
import dev.portico.config.directive.Settings;
import dev.portico.config.directive.Slot;
import dev.portico.core.BuildContext;
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
    static final Slot<Template> REALM = Slot.of("auth_basic", null);
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
            Directive.simple("auth_basic", where, Arity.TAKE1, (level, node) -> level.set(REALM,
                Template.compile(node.arg(0), Variables.of(level.nearest(BuildContext.class))), node)),
            Directive.simple("auth_basic_user_file", where, Arity.TAKE1, (level, node) -> {
                if (node.arg(0).indexOf('$') >= 0) {
                    // nginx opens the file per request when it names variables; Portico reads files at load
                    throw node.error("variables in \"auth_basic_user_file\" are not supported");
                }
                level.set(USER_FILE, node.arg(0), node);
            }));
    }

    @Override
    public void contribute(RequestPipeline.Builder pipeline) {
        pipeline.handler(Phase.ACCESS, AuthBasicModule::handler);
    }

    private static PhaseHandler handler(Settings s, BuildContext build) throws ConfigException {
        Template realm = s.get(REALM);
        String file = s.get(USER_FILE);
        if (realm == null || file == null || realm.isConstant() && "off".equals(realm.source())) {
            return null;
        }
        // relative to the configuration's directory, as nginx (ngx_conf_full_name with the conf prefix)
        Path path = build.prefix().confDir().resolve(dev.portico.bytes.ByteStrings.toText(file)).normalize();
        HtpasswdFile users = build.registry(Files.class, Files::new).byPath.computeIfAbsent(path, HtpasswdFile::read);
        return new AuthBasic(realm, users);
    }
}
