package dev.portico.core;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Checks a package runs once all directives are read (e.g. an upstream named but never defined). */
public final class SnapshotHooks {
    @FunctionalInterface
    public interface Hook {
        void afterBuild(BuildContext build) throws dev.portico.config.ConfigException;
    }

    private static final List<Hook> HOOKS = new CopyOnWriteArrayList<>();

    private SnapshotHooks() {
    }

    public static void register(Hook h) {
        HOOKS.add(h);
    }

    static void afterBuild(BuildContext build) throws dev.portico.config.ConfigException {
        for (Hook h : HOOKS) {
            h.afterBuild(build);
        }
    }
}
