package dev.portico.core;

/**
 * A named piece of run-time state declared by configuration, nginx's shared memory zone
 * ({@code limit_req_zone}, {@code limit_conn_zone}, {@code proxy_cache_path keys_zone},
 * {@code upstream zone}): created by the first configuration that declares it, kept by a reload
 * that declares it again with the same size and key, disposed of once no running configuration
 * declares it and the last request of the one that did has ended.
 *
 * @param <T> what the zone holds (told on disposal when it is a {@link Disposable})
 */
public final class Zone<T> {
    /** A zone value that holds something to release (files, timers) when its zone goes away. */
    public interface Disposable {
        void dispose();
    }

    /** What declares a zone: its kind (nginx's tag), name, size, and the key it is indexed by. */
    public record Spec(String kind, String name, long size, String key) {
        String id() {
            return kind + "\u0000" + name;
        }
    }

    /** One kind of zone: how to create its value, and nginx's words when a reload changes its key. */
    public interface Kind<T> {
        String name();

        T create(Spec spec);

        /** e.g. {@code limit_req "one" uses the "$a" key while previously it used the "$b" key}. */
        default String keyChanged(Spec now, Spec before) {
            return name() + " \"" + now.name() + "\" uses the \"" + now.key() + "\" key while previously it used the \""
                + before.key() + "\" key";
        }
    }

    private final Spec spec;
    private final T value;
    private volatile boolean disposed;

    Zone(Spec spec, T value) {
        this.spec = spec;
        this.value = value;
    }

    public Spec spec() {
        return spec;
    }

    public T value() {
        return value;
    }

    public boolean disposed() {
        return disposed;
    }

    void dispose() {
        disposed = true;
        if (value instanceof Disposable d) {
            d.dispose();
        }
    }
}
