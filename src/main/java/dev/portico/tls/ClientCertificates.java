package dev.portico.tls;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.portico.config.ConfigException;
import dev.portico.core.BuildContext;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * Client certificates for backends named with variables ({@code proxy_ssl_certificate
 * $name.crt}, nginx 1.21.0+): the files a request names are read, and a context with them
 * built, on a loader thread, never on an event loop; the connection waits for it. Contexts are
 * kept by the names the requests give, as {@code proxy_ssl_certificate_cache} says (one cache per
 * location): within {@code valid} an entry is used as it is, after it the files are looked at
 * (modification time, size, inode, on the loader thread) and read again only when they changed.
 * A context keeps its sessions, so a connection resumes only a session of its own certificate.
 */
public final class ClientCertificates {
    /** The certificate and key one request names, as rendered: the keep-alive cache tells connections apart by it. */
    public record Pair(String certificate, String key) {
    }

    /** A file as it was when read: another stamp means another file, read again. */
    private record Stamp(Object key, long modified, long size) {
        static Stamp of(String path) {
            if (path.startsWith("data:")) {
                return new Stamp(path, 0, 0);
            }
            try {
                BasicFileAttributes a = Files.readAttributes(Path.of(path), BasicFileAttributes.class);
                return new Stamp(a.fileKey() == null ? path : a.fileKey(), a.lastModifiedTime().toMillis(), a.size());
            } catch (IOException | InvalidPathException e) {
                return new Stamp(null, -1, -1);
            }
        }
    }

    private record Loaded(ClientTls tls, Stamp certificate, Stamp key, long checkedNanos) {
    }

    private final ClientTls base;
    private final Path confDir;
    private final Executor loader;
    private final long validNanos;
    private final Cache<Pair, Loaded> cache;
    private final ConcurrentHashMap<Pair, CompletableFuture<ClientTls>> loading = new ConcurrentHashMap<>();

    public ClientCertificates(ClientTls base, CertificateCacheSpec spec, BuildContext build) {
        this.base = base;
        this.confDir = build.prefix().confDir();
        this.loader = ContextCache.of(build.server()).loader();
        this.validNanos = Duration.ofSeconds(spec.validSeconds()).toNanos();
        this.cache = Caffeine.newBuilder().maximumSize(spec.max()).expireAfterAccess(Duration.ofSeconds(spec.inactiveSeconds()))
            .build();
    }

    /** The context presenting the pair's certificate; completes on {@code loop}, failed with nginx's message when it cannot be read. */
    public Future<ClientTls> lookup(Pair pair, EventExecutor loop) {
        Loaded known = cache.getIfPresent(pair);
        if (known != null && System.nanoTime() - known.checkedNanos() <= validNanos) {
            return loop.newSucceededFuture(known.tls());
        }
        Promise<ClientTls> p = loop.newPromise();
        CompletableFuture<ClientTls> mine = new CompletableFuture<>();
        CompletableFuture<ClientTls> f = loading.putIfAbsent(pair, mine);
        if (f == null) {
            f = mine;
            loader.execute(() -> load(pair, mine));
        }
        f.whenComplete((tls, e) -> {
            if (e == null) {
                p.trySuccess(tls);
            } else {
                p.tryFailure(e);
            }
        });
        return p;
    }

    private void load(Pair pair, CompletableFuture<ClientTls> done) {
        try {
            String cert = resolve(pair.certificate(), "certificate");
            String key = resolve(pair.key(), "certificate key");
            Stamp certStamp = Stamp.of(cert);
            Stamp keyStamp = Stamp.of(key);
            Loaded old = cache.getIfPresent(pair);
            ClientTls tls = old != null && Objects.equals(old.certificate(), certStamp) && Objects.equals(old.key(), keyStamp)
                && certStamp.key() != null && keyStamp.key() != null ? old.tls() : base.withCertificate(cert, key);
            cache.put(pair, new Loaded(tls, certStamp, keyStamp, System.nanoTime()));
            done.complete(tls);
        } catch (ConfigException e) {
            // as nginx names the call per connection: SSL_use_PrivateKey rather than SSL_CTX_use_PrivateKey
            done.completeExceptionally(new ConfigException(e.bareMessage().replace("SSL_CTX_use_PrivateKey(", "SSL_use_PrivateKey(")));
        } catch (RuntimeException e) {
            done.completeExceptionally(e);
        } finally {
            loading.remove(pair, done);
        }
    }

    /** nginx's ngx_get_full_name against the configuration's directory; {@code data:} values stay as they are. */
    private String resolve(String name, String what) throws ConfigException {
        if (name.startsWith("data:")) {
            return name;
        }
        try {
            return confDir.resolve(name).normalize().toString();
        } catch (InvalidPathException e) {
            throw new ConfigException("cannot load " + what + " \"" + name + "\": BIO_new_file() failed (" + e.getReason() + ")");
        }
    }
}
