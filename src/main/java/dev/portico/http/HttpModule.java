package dev.portico.http;

import static dev.portico.config.directive.Context.HTTP;
import static dev.portico.config.directive.Context.HTTP_SRV_LOC;
import static dev.portico.config.directive.Context.LOCATION;
import static dev.portico.config.directive.Context.MAIN;
import static dev.portico.config.directive.Context.SERVER;

import dev.portico.config.ConfNode;
import dev.portico.config.ConfigException;
import dev.portico.config.directive.Arity;
import dev.portico.config.directive.Context;
import dev.portico.config.directive.Directive;
import dev.portico.config.directive.Level;
import dev.portico.config.directive.Settings;
import dev.portico.config.directive.Slot;
import dev.portico.config.directive.Values;
import dev.portico.core.BuildContext;
import dev.portico.variables.SizeValue;
import dev.portico.variables.Variables;
import java.util.EnumSet;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** ngx_http_core_module: the http, server and location blocks, listen, server_name and connection limits. */
public final class HttpModule implements PipelineModule {
    public HttpModule() {
    }

    /** Set when the configuration has an http block (the level's owner is the {@link HttpBlock}). */
    public static final Slot<HttpBlock> HTTP_BLOCK = Slot.local("http", null);
    /** The content handler of a location (proxy_pass and friends); not inherited, as nginx. */
    public static final Slot<ContentHandlerFactory> CONTENT = Slot.local("content", null);
    public static final Slot<Boolean> INTERNAL = Slot.local("internal", false);
    /** {@code satisfy any}: one access module allowing is enough (default {@code all}: every one must). */
    public static final Slot<Boolean> SATISFY_ANY = Slot.of("satisfy", false);
    /** {@code auth_delay}: how long a 401 from the access phase waits (against password guessing). */
    public static final Slot<Long> AUTH_DELAY = Slot.of("auth_delay", 0L);

    public static final Slot<Long> KEEPALIVE_TIMEOUT = Slot.of("keepalive_timeout", 75_000L);
    public static final Slot<Long> KEEPALIVE_HEADER_TIMEOUT = Slot.of("keepalive_timeout_header", -1L);
    public static final Slot<Integer> KEEPALIVE_REQUESTS = Slot.of("keepalive_requests", 1000);
    public static final Slot<Long> KEEPALIVE_TIME = Slot.of("keepalive_time", 3_600_000L);
    public static final Slot<Long> CLIENT_HEADER_TIMEOUT = Slot.of("client_header_timeout", 60_000L);
    public static final Slot<Long> CLIENT_BODY_TIMEOUT = Slot.of("client_body_timeout", 60_000L);
    public static final Slot<Long> SEND_TIMEOUT = Slot.of("send_timeout", 60_000L);
    /** {@code limit_rate} in bytes per second (0: none) and {@code limit_rate_after} in bytes; both may hold variables. */
    public static final Slot<SizeValue> LIMIT_RATE = Slot.of("limit_rate", SizeValue.ZERO);
    public static final Slot<SizeValue> LIMIT_RATE_AFTER = Slot.of("limit_rate_after", SizeValue.ZERO);
    public static final Slot<Long> CLIENT_HEADER_BUFFER_SIZE = Slot.of("client_header_buffer_size", 1024L);
    public static final Slot<Long> LARGE_HEADER_BUFFER_SIZE = Slot.of("large_client_header_buffers_size", 8192L);
    public static final Slot<Integer> LARGE_HEADER_BUFFER_NUMBER = Slot.of("large_client_header_buffers_number", 4);
    /** "off", "on" or "always" (ngx_http_core_module's lingering_close). */
    public static final Slot<String> LINGERING_CLOSE = Slot.of("lingering_close", "on");
    public static final Slot<Long> LINGERING_TIME = Slot.of("lingering_time", 30_000L);
    public static final Slot<Long> LINGERING_TIMEOUT = Slot.of("lingering_timeout", 5_000L);
    /** Header lines allowed in a request head (nginx 1.29.8+); more is 400. */
    public static final Slot<Integer> MAX_HEADERS = Slot.of("max_headers", 1000);
    public static final Slot<Long> CLIENT_MAX_BODY_SIZE = Slot.of("client_max_body_size", 1024L * 1024);
    public static final Slot<Long> CLIENT_BODY_BUFFER_SIZE = Slot.of("client_body_buffer_size", 16L * 1024);
    public static final Slot<TempPath> CLIENT_BODY_TEMP_PATH = Slot.of("client_body_temp_path", TempPath.of("client_body_temp"));
    public static final Slot<Boolean> UNDERSCORES_IN_HEADERS = Slot.of("underscores_in_headers", false);
    public static final Slot<Boolean> IGNORE_INVALID_HEADERS = Slot.of("ignore_invalid_headers", true);
    public static final Slot<Boolean> MERGE_SLASHES = Slot.of("merge_slashes", true);
    /** "on", "off" or "build"; a free string is NGINX Plus only. */
    public static final Slot<String> SERVER_TOKENS = Slot.of("server_tokens", "on");

    /** The Server field and the built-in pages' signature, per {@code server_tokens}: the one place it is made. */
    public static String serverHeader(Settings s) {
        return s.get(SERVER_TOKENS).equals("off") ? "portico" : "portico/" + dev.portico.Version.PORTICO;
    }
    public static final Slot<Boolean> TCP_NODELAY = Slot.of("tcp_nodelay", true);
    public static final Slot<Boolean> ABSOLUTE_REDIRECT = Slot.of("absolute_redirect", true);
    /** {@code post_action}: a URI or a named location; "" for off. */
    public static final Slot<String> POST_ACTION = Slot.of("post_action", null);
    public static final Slot<Boolean> PORT_IN_REDIRECT = Slot.of("port_in_redirect", true);
    public static final Slot<Boolean> SERVER_NAME_IN_REDIRECT = Slot.of("server_name_in_redirect", false);
    /** The MIME type of responses whose type nothing else decides (nginx's default is text/plain). */
    public static final Slot<String> DEFAULT_TYPE = Slot.of("default_type", "text/plain");

    @Override
    public void contribute(RequestPipeline.Builder pipeline) {
        dev.portico.variables.CoreVariables.register(pipeline.variables());
        LimitRate.register(pipeline.variables());
    }

    @Override
    public List<Directive> directives() {
        return List.of(
            new Directive("http", EnumSet.of(MAIN), Arity.NONE, true, (level, node, d) -> {
                if (level.getOwn(HTTP_BLOCK) != null) {
                    throw node.error("\"http\" directive is duplicate");
                }
                HttpBlock block = new HttpBlock();
                level.put(HTTP_BLOCK, block);
                Level http = new Level(HTTP, level, node, block);
                level.attachment(HttpLevelHolder.class, HttpLevelHolder::new).level = http;
                d.apply(http, node.children());
            }),
            new Directive("server", EnumSet.of(HTTP), Arity.NONE, true, (level, node, d) -> {
                ServerBuilder sb = new ServerBuilder(node);
                sb.level = new Level(SERVER, level, node, sb);
                level.owner(HttpBlock.class).servers.add(sb);
                d.apply(sb.level, node.children());
            }),
            new Directive("location", EnumSet.of(SERVER, LOCATION), Arity.TAKE12, true, HttpModule::location),
            Directive.simple("listen", EnumSet.of(SERVER), Arity.ONE_OR_MORE,
                (level, node) -> level.owner(ServerBuilder.class).listens.addAll(ListenSpec.parse(node))),
            Directive.simple("server_name", EnumSet.of(SERVER), Arity.ONE_OR_MORE, HttpModule::serverName),
            Directive.simple("internal", EnumSet.of(LOCATION), Arity.NONE, (level, node) -> level.set(INTERNAL, true, node)),
            Directive.value("auth_delay", HTTP_SRV_LOC, AUTH_DELAY, Values::timeMillis),
            Directive.simple("satisfy", HTTP_SRV_LOC, Arity.TAKE1, (level, node) -> {
                String v = node.arg(0);
                if (!v.equals("all") && !v.equals("any")) {
                    throw node.error("invalid value \"" + v + "\"");
                }
                level.set(SATISFY_ANY, v.equals("any"), node);
            }),
            Directive.simple("keepalive_timeout", HTTP_SRV_LOC, Arity.TAKE12, (level, node) -> {
                level.set(KEEPALIVE_TIMEOUT, Values.timeMillis(node, node.arg(0)), node);
                if (node.argCount() == 2) {
                    level.put(KEEPALIVE_HEADER_TIMEOUT, Values.timeSeconds(node, node.arg(1)));
                }
            }),
            Directive.value("keepalive_requests", HTTP_SRV_LOC, KEEPALIVE_REQUESTS, Values::number),
            Directive.value("keepalive_time", HTTP_SRV_LOC, KEEPALIVE_TIME, Values::timeMillis),
            Directive.value("client_header_timeout", EnumSet.of(HTTP, SERVER), CLIENT_HEADER_TIMEOUT, Values::timeMillis),
            Directive.value("client_body_timeout", HTTP_SRV_LOC, CLIENT_BODY_TIMEOUT, Values::timeMillis),
            Directive.value("send_timeout", HTTP_SRV_LOC, SEND_TIMEOUT, Values::timeMillis),
            Directive.simple("limit_rate", EnumSet.of(HTTP, SERVER, LOCATION, Context.IF_IN_LOCATION), Arity.TAKE1,
                (level, node) -> level.set(LIMIT_RATE, sizeValue(level, node), node)),
            Directive.simple("limit_rate_after", EnumSet.of(HTTP, SERVER, LOCATION, Context.IF_IN_LOCATION), Arity.TAKE1,
                (level, node) -> level.set(LIMIT_RATE_AFTER, sizeValue(level, node), node)),
            Directive.value("client_header_buffer_size", EnumSet.of(HTTP, SERVER), CLIENT_HEADER_BUFFER_SIZE, Values::size),
            Directive.simple("large_client_header_buffers", EnumSet.of(HTTP, SERVER), Arity.TAKE2, (level, node) -> {
                int n = Values.number(node, node.arg(0));
                long size = Values.size(node, node.arg(1));
                if (n == 0 || size == 0) {
                    throw node.error("\"large_client_header_buffers\" directive invalid value");
                }
                level.set(LARGE_HEADER_BUFFER_NUMBER, n, node);
                level.put(LARGE_HEADER_BUFFER_SIZE, size);
            }),
            Directive.value("max_headers", EnumSet.of(HTTP, SERVER), MAX_HEADERS, Values::number),
            Directive.value("client_max_body_size", HTTP_SRV_LOC, CLIENT_MAX_BODY_SIZE, Values::size),
            Directive.value("client_body_buffer_size", HTTP_SRV_LOC, CLIENT_BODY_BUFFER_SIZE, Values::size),
            Directive.simple("client_body_temp_path", HTTP_SRV_LOC, Arity.TAKE1234,
                (level, node) -> level.set(CLIENT_BODY_TEMP_PATH, TempPath.parse(node), node)),
            Directive.flag("underscores_in_headers", EnumSet.of(HTTP, SERVER), UNDERSCORES_IN_HEADERS),
            Directive.flag("ignore_invalid_headers", EnumSet.of(HTTP, SERVER), IGNORE_INVALID_HEADERS),
            Directive.flag("merge_slashes", EnumSet.of(HTTP, SERVER), MERGE_SLASHES),
            Directive.simple("server_tokens", HTTP_SRV_LOC, Arity.TAKE1, (level, node) -> {
                String v = node.arg(0);
                if (!v.equals("on") && !v.equals("off") && !v.equals("build")) {
                    throw node.invalidValue(v);
                }
                level.set(SERVER_TOKENS, v, node);
            }),
            Directive.flag("tcp_nodelay", HTTP_SRV_LOC, TCP_NODELAY),
            Directive.simple("lingering_close", HTTP_SRV_LOC, Arity.TAKE1, (level, node) -> {
                String v = node.arg(0);
                if (!v.equals("off") && !v.equals("on") && !v.equals("always")) {
                    throw node.invalidValue(v);
                }
                level.set(LINGERING_CLOSE, v, node);
            }),
            Directive.value("lingering_time", HTTP_SRV_LOC, LINGERING_TIME, Values::timeMillis),
            Directive.value("lingering_timeout", HTTP_SRV_LOC, LINGERING_TIMEOUT, Values::timeMillis),
            Directive.simple("default_type", HTTP_SRV_LOC, Arity.TAKE1, (level, node) -> level.set(DEFAULT_TYPE, node.arg(0), node)),
            Directive.flag("absolute_redirect", HTTP_SRV_LOC, ABSOLUTE_REDIRECT),
            Directive.simple("post_action", EnumSet.of(HTTP, SERVER, LOCATION, Context.IF_IN_LOCATION), Arity.TAKE1,
                (level, node) -> level.set(POST_ACTION, node.arg(0).equals("off") ? "" : node.arg(0), node)),
            Directive.flag("port_in_redirect", HTTP_SRV_LOC, PORT_IN_REDIRECT),
            Directive.flag("server_name_in_redirect", HTTP_SRV_LOC, SERVER_NAME_IN_REDIRECT),
            // nginx internals with no meaning for a JVM proxy: accepted, documented as no-ops.
            flagNoop("sendfile", EnumSet.of(HTTP, SERVER, LOCATION, Context.IF_IN_LOCATION)),
            flagNoop("tcp_nopush", HTTP_SRV_LOC),
            flagNoop("reset_timedout_connection", HTTP_SRV_LOC),
            Directive.noop("sendfile_max_chunk", HTTP_SRV_LOC, Arity.TAKE1),
            Directive.noop("server_names_hash_max_size", EnumSet.of(HTTP), Arity.TAKE1),
            Directive.noop("server_names_hash_bucket_size", EnumSet.of(HTTP), Arity.TAKE1),
            Directive.noop("variables_hash_max_size", EnumSet.of(HTTP), Arity.TAKE1),
            Directive.noop("variables_hash_bucket_size", EnumSet.of(HTTP), Arity.TAKE1),
            Directive.noop("types_hash_max_size", HTTP_SRV_LOC, Arity.TAKE1),
            Directive.noop("types_hash_bucket_size", HTTP_SRV_LOC, Arity.TAKE1),
            Directive.noop("output_buffers", HTTP_SRV_LOC, Arity.TAKE2),
            Directive.noop("postpone_output", HTTP_SRV_LOC, Arity.TAKE1),
            Directive.noop("connection_pool_size", EnumSet.of(HTTP, SERVER), Arity.TAKE1),
            Directive.noop("request_pool_size", EnumSet.of(HTTP, SERVER), Arity.TAKE1),
            flagNoop("aio_write", HTTP_SRV_LOC),
            Directive.noop("aio", HTTP_SRV_LOC, Arity.TAKE1),
            Directive.noop("directio", HTTP_SRV_LOC, Arity.TAKE1),
            Directive.noop("open_file_cache", HTTP_SRV_LOC, Arity.TAKE12),
            Directive.noop("open_file_cache_valid", HTTP_SRV_LOC, Arity.TAKE1),
            Directive.noop("open_file_cache_min_uses", HTTP_SRV_LOC, Arity.TAKE1),
            flagNoop("open_file_cache_errors", HTTP_SRV_LOC),
            // Where nginx's FastCGI/uwsgi/SCGI modules keep temporary files. Portico has none of
            // those modules (no *_pass), so nothing is ever written there; configurations that keep
            // every nginx file inside the prefix (like the benchmark's) still load.
            Directive.noop("fastcgi_temp_path", HTTP_SRV_LOC, Arity.TAKE1234),
            Directive.noop("uwsgi_temp_path", HTTP_SRV_LOC, Arity.TAKE1234),
            Directive.noop("scgi_temp_path", HTTP_SRV_LOC, Arity.TAKE1234));
    }

    /** A size argument that may hold variables, compiled against the configuration's variables. */
    private static SizeValue sizeValue(Level level, ConfNode node) throws ConfigException {
        return SizeValue.parse(node, node.arg(0), Variables.of(level.nearest(BuildContext.class)));
    }

    /** server_name: the checks nginx makes when reading the directive (the rest when the names are indexed). */
    private static void serverName(Level level, ConfNode node) throws ConfigException {
        ServerBuilder sb = level.owner(ServerBuilder.class);
        for (String n : node.args()) {
            char c = n.isEmpty() ? 0 : n.charAt(0);
            if ((c == '*' && (n.length() < 3 || n.charAt(1) != '.')) || (c == '.' && n.length() < 2)) {
                throw node.error("server name \"" + n + "\" is invalid");
            }
            if (n.indexOf('/') >= 0) {
                dev.portico.observability.ErrorLog.warn("server name \"" + n + "\" has suspicious symbols in "
                    + node.file() + ":" + node.line());
            }
            if (n.equalsIgnoreCase("$hostname")) {
                sb.names.add(MachineName.VALUE);
                continue;
            }
            if (c == '~') {
                if (n.length() == 1) {
                    throw node.error("empty regex in server name \"" + n + "\"");
                }
                try {
                    ServerNameIndex.compileRegex(n.substring(1));
                } catch (PatternSyntaxException e) {
                    throw node.error(RegexSupport.compileError(e, n.substring(1)));
                }
            }
            sb.names.add(n);
        }
    }

    /** The machine's host name, lower-cased ({@code server_name $hostname}). */
    private static final class MachineName {
        static final String VALUE = read();

        private static String read() {
            try {
                return java.net.InetAddress.getLocalHost().getHostName().toLowerCase(java.util.Locale.ROOT);
            } catch (java.net.UnknownHostException e) {
                return "localhost";
            }
        }
    }

    private static Directive flagNoop(String name, java.util.Set<Context> contexts) {
        return Directive.simple(name, contexts, Arity.TAKE1, (level, node) -> Values.flag(node, node.arg(0)));
    }

    /** Lets the snapshot builder find the http level after reading. */
    public static final class HttpLevelHolder {
        public Level level;
    }

    private static void location(Level level, ConfNode node, dev.portico.config.directive.Dispatcher d) throws ConfigException {
        Location.Kind kind;
        String name;
        Pattern regex = null;
        if (node.argCount() == 2) {
            String mod = node.arg(0);
            name = node.arg(1);
            switch (mod) {
                case "=" -> kind = Location.Kind.EXACT;
                case "^~" -> kind = Location.Kind.PREFIX_NOREGEX;
                case "~", "~*" -> {
                    kind = Location.Kind.REGEX;
                    regex = compileRegex(node, name, mod.equals("~*"));
                }
                default -> throw node.error("invalid location modifier \"" + mod + "\"");
            }
        } else {
            name = node.arg(0);
            if (name.startsWith("=") && name.length() > 1) {
                kind = Location.Kind.EXACT;
                name = name.substring(1);
            } else if (name.startsWith("^~") && name.length() > 2) {
                kind = Location.Kind.PREFIX_NOREGEX;
                name = name.substring(2);
            } else if (name.startsWith("~*") && name.length() > 2) {
                kind = Location.Kind.REGEX;
                name = name.substring(2);
                regex = compileRegex(node, name, true);
            } else if (name.startsWith("~") && name.length() > 1) {
                kind = Location.Kind.REGEX;
                name = name.substring(1);
                regex = compileRegex(node, name, false);
            } else if (name.startsWith("@")) {
                kind = Location.Kind.NAMED;
            } else {
                kind = Location.Kind.PREFIX;
            }
        }
        LocationBuilder lb = new LocationBuilder(kind, name, regex, node);
        Object owner = level.owner();
        if (owner instanceof ServerBuilder sb) {
            if (kind == Location.Kind.NAMED) {
                if (sb.named.putIfAbsent(name, lb) != null) {
                    throw node.error("duplicate location \"" + name + "\"");
                }
            } else {
                checkDuplicate(sb.locations, lb, node);
                sb.locations.add(lb);
            }
        } else if (owner instanceof LocationBuilder parent) {
            if (kind == Location.Kind.NAMED) {
                throw node.error("named location \"" + name + "\" can be on the server level only");
            }
            if (parent.kind == Location.Kind.EXACT) {
                throw node.error("location \"" + name + "\" cannot be inside the exact location \"" + parent.name + "\"");
            }
            if (parent.kind == Location.Kind.NAMED) {
                throw node.error("location \"" + name + "\" cannot be inside the named location \"" + parent.name + "\"");
            }
            // nginx compares with the parent's name as written, even when the parent is a regex
            if (regex == null && !name.startsWith(parent.name)) {
                throw node.error("location \"" + name + "\" is outside location \"" + parent.name + "\"");
            }
            checkDuplicate(parent.children, lb, node);
            parent.children.add(lb);
        } else {
            throw node.error("\"location\" directive is not allowed here");
        }
        lb.level = new Level(LOCATION, level, node, lb);
        d.apply(lb.level, node.children());
    }

    private static void checkDuplicate(List<LocationBuilder> siblings, LocationBuilder lb, ConfNode node) throws ConfigException {
        for (LocationBuilder s : siblings) {
            boolean sameLiteral = s.regex == null && lb.regex == null && s.name.equals(lb.name)
                && (s.kind == Location.Kind.EXACT) == (lb.kind == Location.Kind.EXACT);
            if (sameLiteral) {
                throw node.error("duplicate location \"" + lb.name + "\"");
            }
        }
    }

    private static Pattern compileRegex(ConfNode node, String re, boolean caseless) throws ConfigException {
        try {
            return RegexSupport.compile(re, caseless);
        } catch (PatternSyntaxException e) {
            throw node.error(RegexSupport.compileError(e, re));
        }
    }
}
