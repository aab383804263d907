package dev.portico.observability;

import static dev.portico.config.directive.Context.HTTP;
import static dev.portico.config.directive.Context.IF_IN_LOCATION;
import static dev.portico.config.directive.Context.LIMIT_EXCEPT;
import static dev.portico.config.directive.Context.LOCATION;
import static dev.portico.config.directive.Context.SERVER;

import dev.portico.bytes.ByteStrings;
import dev.portico.config.ConfNode;
import dev.portico.config.ConfigException;
import dev.portico.config.directive.Arity;
import dev.portico.config.directive.Context;
import dev.portico.config.directive.Directive;
import dev.portico.config.directive.Level;
import dev.portico.config.directive.Slot;
import dev.portico.config.directive.Values;
import dev.portico.core.BuildContext;
import dev.portico.core.ServerState;
import dev.portico.core.Snapshot;
import dev.portico.http.PipelineModule;
import dev.portico.http.RequestPipeline;
import dev.portico.variables.Template;
import dev.portico.variables.Variables;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;

/**
 * ngx_http_log_module: {@code log_format}, {@code access_log}, {@code open_log_file_cache};
 * plus the wiring of the log phase and of log files to the server's life (start, reload,
 * reopen, stop), for access logs and per-location error logs.
 */
public final class HttpLogModule implements PipelineModule {
    public HttpLogModule() {
    }

    /** The {@code access_log} list of a level; a list is inherited only by levels with none of their own. */
    static final Slot<List<AccessLog>> ACCESS_LOG = Slot.of("access_log", null);
    /** {@code open_log_file_cache}: read for its duplicate check only. */
    private static final Slot<Boolean> OPEN_LOG_FILE_CACHE = Slot.local("open_log_file_cache", null);

    private final LogFilesLifecycle files = new LogFilesLifecycle();

    @Override
    public void contribute(RequestPipeline.Builder pipeline) {
        pipeline.onEnd(AccessLogPhase::log);
    }

    @Override
    public void afterBuild(BuildContext build) throws ConfigException {
        AccessLogConf.of(build).checkFiles();
        build.registry(RequestErrorLogs.class, () -> new RequestErrorLogs(build.prefix(), RequestErrorLogs.Files.of(build.server())));
    }

    @Override
    public void activate(Snapshot next, Snapshot previous, ServerState server) {
        files.activate(next, previous, server);
    }

    @Override
    public void reopen(ServerState server) {
        files.reopen(server);
    }

    @Override
    public void stopped(ServerState server) {
        files.stopped(server);
    }

    /** error_log at whatever level it stands; main's value also receives startup messages. */
    public static final Slot<List<ErrorLogSpec>> ERROR_LOG = Slot.of("error_log", null);

    @Override
    public List<Directive> directives() {
        return List.of(
            Directive.simple("error_log", EnumSet.of(Context.MAIN, HTTP, SERVER, LOCATION),
                Arity.ONE_OR_MORE, (level, node) -> level.add(ERROR_LOG, ErrorLogSpec.parse(node))),
            Directive.simple("log_format", EnumSet.of(HTTP), Arity.TWO_OR_MORE, HttpLogModule::logFormat),
            Directive.simple("access_log", EnumSet.of(HTTP, SERVER, LOCATION, IF_IN_LOCATION, LIMIT_EXCEPT),
                Arity.ONE_OR_MORE, HttpLogModule::accessLog),
            Directive.simple("open_log_file_cache", Context.HTTP_SRV_LOC, Arity.TAKE1234, HttpLogModule::openLogFileCache));
    }

    /** {@code log_format name [escape=default|json|none] string ...;} */
    private static void logFormat(Level level, ConfNode node) throws ConfigException {
        BuildContext build = level.nearest(BuildContext.class);
        AccessLogConf conf = AccessLogConf.of(build);
        String name = node.arg(0);
        if (conf.format(name) != null) {
            throw node.error("duplicate \"log_format\" name \"" + name + "\"");
        }
        int first = 1;
        LogEscape escape = LogEscape.DEFAULT;
        if (node.arg(1).startsWith("escape=")) {
            String word = node.arg(1).substring("escape=".length());
            escape = LogEscape.parse(word);
            if (escape == null) {
                throw node.error("unknown log format escaping \"" + word + "\"");
            }
            first = 2;
        }
        LogFormat format;
        try {
            format = LogFormat.compile(name, escape, node.args().subList(first, node.argCount()), Variables.of(build));
        } catch (ConfigException e) {
            throw e.at(node);
        }
        conf.define(node, format);
    }

    /** {@code access_log path [format [buffer=size] [gzip[=level]] [flush=time] [if=condition]];} or {@code access_log off;} */
    private static void accessLog(Level level, ConfNode node) throws ConfigException {
        BuildContext build = level.nearest(BuildContext.class);
        AccessLogConf conf = AccessLogConf.of(build);
        if (level.context() == HTTP) {
            conf.httpLevelSet();
        }
        String target = node.arg(0);
        if (target.equals("off")) {
            if (node.argCount() > 1) {
                throw node.error("invalid parameter \"" + node.arg(1) + "\"");
            }
            level.add(ACCESS_LOG, AccessLog.OFF);
            return;
        }
        if (target.startsWith("syslog:")) {
            throw node.error(ErrorLogSpec.unsupported("syslog:", node.name()));
        }
        String formatName = node.argCount() >= 2 ? node.arg(1) : LogFormat.COMBINED_NAME;
        LogFormat format = conf.format(formatName);
        if (format == null) {
            throw node.error("unknown log format \"" + formatName + "\"");
        }
        long size = 0;
        long flush = 0;
        int gzip = 0;
        Template condition = null;
        for (int i = 2; i < node.argCount(); i++) {
            String p = node.arg(i);
            if (p.startsWith("buffer=")) {
                String v = p.substring(7);
                size = Values.parseSize(v);
                if (size <= 0 || size > Integer.MAX_VALUE - 8) {
                    throw node.error("invalid buffer size \"" + v + "\"");
                }
            } else if (p.startsWith("flush=")) {
                String v = p.substring(6);
                flush = Values.parseTime(v, true);
                if (flush <= 0) {
                    throw node.error("invalid flush time \"" + v + "\"");
                }
            } else if (p.equals("gzip") || p.startsWith("gzip=")) {
                if (size == 0) {
                    size = 64 * 1024;
                }
                gzip = 1;
                if (p.length() > 4) {
                    String v = p.substring(5);
                    gzip = v.matches("[0-9]{1,2}") ? Integer.parseInt(v) : -1;
                    if (gzip < 1 || gzip > 9) {
                        throw node.error("invalid compression level \"" + v + "\"");
                    }
                }
            } else if (p.startsWith("if=")) {
                try {
                    condition = Template.compile(p.substring(3), Variables.of(build));
                } catch (ConfigException e) {
                    throw e.at(node);
                }
            } else {
                throw node.error("invalid parameter \"" + p + "\"");
            }
        }
        if (flush > 0 && size == 0) {
            throw node.error("no buffer is defined for access_log \"" + target + "\"");
        }
        Template pathTemplate;
        try {
            pathTemplate = Template.compile(target, Variables.of(build));
        } catch (ConfigException e) {
            throw e.at(node);
        }
        if (!pathTemplate.isConstant()) {
            if (size > 0) {
                throw node.error("buffered logs cannot have variables in name");
            }
            // nginx makes the path absolute against the prefix before compiling it
            String full = target.startsWith("/") ? target : ByteStrings.fromText(conf.prefix().prefix().toString()) + "/" + target;
            Template t;
            try {
                t = Template.compile(full, Variables.of(build));
            } catch (ConfigException e) {
                throw e.at(node);
            }
            level.add(ACCESS_LOG, new AccessLog(null, t, format, condition));
            return;
        }
        Path path = conf.prefix().resolve(target);
        conf.file(node, path, size == 0 ? FileParams.UNBUFFERED : new FileParams((int) size, flush, gzip));
        level.add(ACCESS_LOG, new AccessLog(path, null, format, condition));
    }

    /**
     * {@code open_log_file_cache max=N [inactive=time] [min_uses=N] [valid=time] | off;} is checked
     * as nginx checks it and otherwise ignored: the writer keeps a fixed small set of files named
     * with variables open.
     */
    private static void openLogFileCache(Level level, ConfNode node) throws ConfigException {
        long max = 0;
        boolean off = false;
        for (String p : node.args()) {
            boolean ok;
            if (p.startsWith("max=")) {
                max = number(p.substring(4));
                ok = max >= 0;
            } else if (p.startsWith("inactive=")) {
                ok = Values.parseTime(p.substring(9), false) >= 0;
            } else if (p.startsWith("min_uses=")) {
                ok = number(p.substring(9)) >= 0;
            } else if (p.startsWith("valid=")) {
                ok = Values.parseTime(p.substring(6), false) >= 0;
            } else if (p.equals("off")) {
                off = true;
                ok = true;
            } else {
                ok = false;
            }
            if (!ok) {
                throw node.error("invalid \"open_log_file_cache\" parameter \"" + p + "\"");
            }
        }
        if (!off && max == 0) {
            throw node.error("\"open_log_file_cache\" must have \"max\" parameter");
        }
        level.set(OPEN_LOG_FILE_CACHE, Boolean.TRUE, node);
    }

    private static long number(String s) {
        return s.matches("[0-9]{1,9}") ? Long.parseLong(s) : -1;
    }
}
