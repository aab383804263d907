package dev.portico.tls;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.portico.config.ConfigException;
import dev.portico.config.directive.Settings;
import dev.portico.observability.ErrorLog;
import dev.portico.observability.LogLevel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLHandshakeException;

/**
 * Certificates named with {@code $ssl_server_name} (nginx 1.15.9+): read for the name a client
 * asks for, when it asks. Files are read and contexts built on a loader thread, never on the
 * event loop; the handshake waits for them. A name's contexts are kept for a minute (nginx reads
 * the files at every handshake), so a renewed file is served within a minute, or at once after a
 * reload. A server name that could reach outside a directory ({@code /}, {@code ..}) is refused,
 * as nginx's host validation refuses it.
 */
final class ServerNameCertificates {
    private final Settings settings;
    private final Path confDir;
    private final SslProvider provider;
    private final Executor loader;
    private final Cache<String, List<SslContext>> byName = Caffeine.newBuilder()
        .expireAfterWrite(Duration.ofMinutes(1)).maximumSize(10_000).build();
    private final Cache<String, List<Boolean>> ecdsaByName = Caffeine.newBuilder()
        .expireAfterWrite(Duration.ofMinutes(1)).maximumSize(10_000).build();

    /** True when the contexts offer {@code h2} by ALPN (the server may speak HTTP/2). */
    private final boolean http2;

    ServerNameCertificates(Settings settings, Path confDir, SslProvider provider, Executor loader, boolean http2) {
        this.http2 = http2;
        this.settings = settings;
        this.confDir = confDir;
        this.provider = provider;
        this.loader = loader;
    }

    /** The context for this client's server name and key type; completes on {@code loop}. */
    Future<SslContext> lookup(ClientHello hello, EventExecutor loop) {
        String name = hello.serverName() == null ? "" : hello.serverName();
        if (name.contains("/") || name.contains("..") || name.contains("\\")) {
            return loop.newFailedFuture(new SSLHandshakeException("invalid server name \"" + name + "\""));
        }
        List<SslContext> known = byName.getIfPresent(name);
        List<Boolean> ecdsa = ecdsaByName.getIfPresent(name);
        if (known != null && ecdsa != null) {
            return loop.newSucceededFuture(pick(known, ecdsa, hello));
        }
        Promise<SslContext> p = loop.newPromise();
        loader.execute(() -> {
            try {
                TlsMaterial m = TlsMaterial.read(settings, confDir, provider.name(), n -> n.replace(TlsModule.SERVER_NAME, name));
                List<SslContext> contexts = new ArrayList<>();
                List<Boolean> types = new ArrayList<>();
                for (int i = 0; i < m.certificates().size(); i++) {
                    contexts.add(ContextFactory.build(m, i, provider, http2));
                    types.add(PemMaterial.certificates(m.certificates().get(i), m.certificateNames().get(i))[0]
                        .getPublicKey().getAlgorithm().startsWith("EC"));
                }
                byName.put(name, List.copyOf(contexts));
                ecdsaByName.put(name, List.copyOf(types));
                p.trySuccess(pick(contexts, types, hello));
            } catch (ConfigException | RuntimeException e) {
                ErrorLog.get().log(LogLevel.ERROR, 0, e.getMessage() + " while SSL handshaking");
                p.tryFailure(new SSLHandshakeException(e.getMessage()));
            }
        });
        return p;
    }

    private static SslContext pick(List<SslContext> contexts, List<Boolean> ecdsa, ClientHello hello) {
        return new TlsTerminator.ServerTls(contexts, List.of(), ecdsa, List.of(), false, false, false, true, VerifyMode.OFF, null, null)
            .contextFor(hello, false);
    }
}
