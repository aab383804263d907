package dev.portico.core;

import dev.portico.config.ConfigSource;
import dev.portico.config.directive.Settings;
import dev.portico.http.HttpConf;
import java.util.List;

/**
 * One configuration, fully read and compiled: immutable, swapped as a whole on reload.
 * Requests keep the snapshot they started with. Reloads build the next one with the same modules.
 */
public record Snapshot(Prefix prefix, Settings main, HttpConf http, List<ConfigSource> sources, BuildContext build,
                       SnapshotUsage usage, List<Module> modules) {

    public <T> T main(dev.portico.config.directive.Slot<T> slot) {
        return main.get(slot);
    }
}
