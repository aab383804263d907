package dev.portico.tls;

import static dev.portico.config.directive.Context.HTTP;
import static dev.portico.config.directive.Context.SERVER;

import dev.portico.config.ConfigException;
import dev.portico.config.directive.Arity;
import dev.portico.config.directive.Context;
import dev.portico.config.directive.Directive;
import dev.portico.config.directive.Slot;
import dev.portico.config.directive.Values;
import dev.portico.http.PipelineModule;
import dev.portico.http.RequestPipeline;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * ngx_http_ssl_module: TLS on {@code listen ... ssl} addresses. Each server's settings are
 * compiled into an SSL context when the configuration loads (certificates and keys read then,
 * and again at each reload); the handshake picks the server, and so the certificate, by the
 * name the client asks for, as nginx does. Client certificates are asked for in the handshake
 * and judged per request ({@link TlsTerminator#refusal}). OCSP responses are stapled to the
 * handshake when {@code ssl_stapling} is on ({@link Stapling}).
 */
public final class TlsModule implements PipelineModule {
    static final Slot<List<String>> CERTIFICATE = Slot.of("ssl_certificate", null);
    static final Slot<List<String>> CERTIFICATE_KEY = Slot.of("ssl_certificate_key", null);
    static final Slot<String> PASSWORD_FILE = Slot.of("ssl_password_file", null);
    static final Slot<List<String>> PROTOCOLS = Slot.of("ssl_protocols", List.of("TLSv1.2", "TLSv1.3"));
    static final Slot<String> CIPHERS = Slot.of("ssl_ciphers", CipherList.NGINX_DEFAULT);
    static final Slot<Boolean> PREFER_SERVER_CIPHERS = Slot.of("ssl_prefer_server_ciphers", false);
    static final Slot<String> ECDH_CURVE = Slot.of("ssl_ecdh_curve", "auto");
    static final Slot<SessionCache> SESSION_CACHE = Slot.of("ssl_session_cache", SessionCache.NONE);
    static final Slot<Long> SESSION_TIMEOUT = Slot.of("ssl_session_timeout", 300L);
    static final Slot<Boolean> SESSION_TICKETS = Slot.of("ssl_session_tickets", true);
    static final Slot<List<String>> SESSION_TICKET_KEY = Slot.of("ssl_session_ticket_key", null);
    static final Slot<Boolean> REJECT_HANDSHAKE = Slot.of("ssl_reject_handshake", false);
    static final Slot<VerifyMode> VERIFY_CLIENT = Slot.of("ssl_verify_client", VerifyMode.OFF);
    static final Slot<Integer> VERIFY_DEPTH = Slot.of("ssl_verify_depth", 1);
    static final Slot<String> CLIENT_CERTIFICATE = Slot.of("ssl_client_certificate", null);
    static final Slot<String> TRUSTED_CERTIFICATE = Slot.of("ssl_trusted_certificate", null);
    static final Slot<String> CRL = Slot.of("ssl_crl", null);
    static final Slot<Boolean> STAPLING = Slot.of("ssl_stapling", false);
    static final Slot<String> STAPLING_FILE = Slot.of("ssl_stapling_file", null);
    static final Slot<String> STAPLING_RESPONDER = Slot.of("ssl_stapling_responder", null);
    static final Slot<Boolean> STAPLING_VERIFY = Slot.of("ssl_stapling_verify", false);
    /** Only ever {@code off}: {@code on} is refused at load. */
    static final Slot<Boolean> EARLY_DATA = Slot.of("ssl_early_data", false);

    private static final List<String> PROTOCOL_NAMES = List.of("SSLv2", "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3");

    public TlsModule() {
    }

    @Override
    public List<Directive> directives() {
        EnumSet<Context> hs = EnumSet.of(HTTP, SERVER);
        return List.of(
            Directive.simple("ssl_certificate", hs, Arity.TAKE1, (level, node) -> {
                checkVariables(node);
                level.add(CERTIFICATE, node.arg(0));
            }),
            Directive.simple("ssl_certificate_key", hs, Arity.TAKE1, (level, node) -> {
                if (node.arg(0).startsWith("engine:")) {
                    throw node.error("loading \"engine:...\" certificate keys is not supported");
                }
                checkVariables(node);
                level.add(CERTIFICATE_KEY, node.arg(0));
            }),
            Directive.simple("ssl_password_file", hs, Arity.TAKE1, (level, node) -> level.set(PASSWORD_FILE, node.arg(0), node)),
            Directive.simple("ssl_protocols", hs, Arity.ONE_OR_MORE, (level, node) -> {
                for (String p : node.args()) {
                    if (!PROTOCOL_NAMES.contains(p)) {
                        throw node.error("invalid value \"" + p + "\"");
                    }
                }
                level.set(PROTOCOLS, List.copyOf(node.args()), node);
            }),
            Directive.simple("ssl_ciphers", hs, Arity.TAKE1, (level, node) -> {
                CipherList.check(node, node.arg(0));
                level.set(CIPHERS, node.arg(0), node);
            }),
            Directive.flag("ssl_prefer_server_ciphers", hs, PREFER_SERVER_CIPHERS),
            Directive.simple("ssl_ecdh_curve", hs, Arity.TAKE1, (level, node) -> level.set(ECDH_CURVE, node.arg(0), node)),
            Directive.simple("ssl_session_cache", hs, Arity.TAKE12, (level, node) ->
                level.set(SESSION_CACHE, SessionCache.parse(node), node)),
            Directive.value("ssl_session_timeout", hs, SESSION_TIMEOUT, Values::timeSeconds),
            Directive.flag("ssl_session_tickets", hs, SESSION_TICKETS),
            Directive.simple("ssl_session_ticket_key", hs, Arity.TAKE1, (level, node) -> level.add(SESSION_TICKET_KEY, node.arg(0))),
            Directive.flag("ssl_reject_handshake", hs, REJECT_HANDSHAKE),
            Directive.value("ssl_verify_client", hs, VERIFY_CLIENT, VerifyMode::parse),
            Directive.value("ssl_verify_depth", hs, VERIFY_DEPTH, Values::number),
            Directive.value("ssl_client_certificate", hs, CLIENT_CERTIFICATE, (node, v) -> v),
            Directive.value("ssl_trusted_certificate", hs, TRUSTED_CERTIFICATE, (node, v) -> v),
            Directive.value("ssl_crl", hs, CRL, (node, v) -> v),
            Directive.flag("ssl_stapling", hs, STAPLING),
            Directive.value("ssl_stapling_file", hs, STAPLING_FILE, (node, v) -> v),
            Directive.value("ssl_stapling_responder", hs, STAPLING_RESPONDER, (node, v) -> v),
            Directive.flag("ssl_stapling_verify", hs, STAPLING_VERIFY),
            Directive.simple("ssl_early_data", hs, Arity.TAKE1, (level, node) -> {
                if (Values.flag(node, node.arg(0))) {
                    // netty-tcnative's BoringSSL engine and the JDK's both lack TLS 1.3 0-RTT for TCP
                    throw node.error("\"ssl_early_data on\" is not supported: the TLS engine does not offer TLS 1.3 0-RTT");
                }
                level.set(EARLY_DATA, false, node);
            }),
            confCommand("ssl_conf_command", hs));
    }

    /**
     * {@code ssl_conf_command} and {@code proxy_ssl_conf_command}: OpenSSL's SSL_CONF_cmd() has no
     * counterpart in BoringSSL (nor in the JDK's engine), so the directive is refused at load with
     * nginx's words for a platform without it, and the reason, rather than being an unknown one.
     */
    public static Directive confCommand(String name, Set<Context> contexts) {
        return Directive.simple(name, contexts, Arity.TAKE2, (level, node) -> {
            throw node.error("\"" + name + "\" directive is not supported on this platform:"
                + " BoringSSL (and the JDK's TLS engine) has no OpenSSL configuration commands");
        });
    }

    /** The one variable a certificate name may hold: it is known at the handshake, before any request. */
    static final String SERVER_NAME = "$ssl_server_name";

    static boolean namesServer(String name) {
        return !name.startsWith("data:") && name.contains(SERVER_NAME);
    }

    private static void checkVariables(dev.portico.config.ConfNode node) throws dev.portico.config.ConfigException {
        String v = node.arg(0);
        if (!v.startsWith("data:") && v.replace(SERVER_NAME, "").indexOf('$') >= 0) {
            // nginx allows any variable a fake request can compute; the server name is the one that matters
            throw node.error("only $ssl_server_name may be used in \"" + node.name() + "\"");
        }
    }

    @Override
    public void activate(dev.portico.core.Snapshot next, dev.portico.core.Snapshot previous, dev.portico.core.ServerState server) {
        ContextCache.of(server).retainOnly(next.build());
        // the staples of the configuration going live are fetched from now on; those it dropped stop
        Staplers.of(server).switchTo(next.build());
    }

    @Override
    public void stopped(dev.portico.core.ServerState server) {
        Staplers.of(server).stop();
    }

    @Override
    public void contribute(RequestPipeline.Builder pipeline) {
        pipeline.connectionSecurity(TlsTerminator::build);
        TlsVariables.register(pipeline.variables());
    }
}
