package dev.portico.routing;

import dev.portico.config.ConfigException;
import dev.portico.core.BuildContext;
import dev.portico.http.HttpCompiler;
import dev.portico.http.LocationBuilder;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code if} blocks of locations, compiled into pseudo-locations once everything is read:
 * a block inherits what its location sets after it, so its settings can only be merged then.
 */
final class IfLocations {
    private record Pending(IfStep step, LocationBuilder block) {
    }

    private final List<Pending> pending = new ArrayList<>();

    void add(IfStep step, LocationBuilder block) {
        pending.add(new Pending(step, block));
    }

    static void compile(BuildContext build) throws ConfigException {
        IfLocations ifs = build.registry(IfLocations.class);
        if (ifs == null) {
            return;
        }
        for (Pending p : ifs.pending) {
            p.step().location(HttpCompiler.compileLocation(p.block(), build));
        }
    }
}
