package dev.portico.core;

import dev.portico.config.ConfigSource;
import dev.portico.config.directive.Settings;
import java.util.List;

/**
 * One configuration, fully read and compiled: immutable, swapped as a whole on reload.
 * What a module compiled is in the build's registries (the http block: {@code HttpConf.of}).
 * Requests keep the snapshot they started with. Reloads build the next one with the same modules.
 */
public record Snapshot(Prefix prefix, Settings main, List<ConfigSource> sources, BuildContext build,
                       SnapshotUsage usage, List<Module> modules) {

    public <T> T main(dev.portico.config.directive.Slot<T> slot) {
        return main.get(slot);
    }
}
