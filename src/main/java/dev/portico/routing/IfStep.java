package dev.portico.routing;

import dev.portico.http.Exchange;
import dev.portico.http.Location;
import dev.portico.http.RewriteStep;
import java.util.List;

/**
 * {@code if (condition) { ... }}: when the condition holds, the block's rewrite statements run
 * in line with the enclosing ones (statements after the block still run afterwards, as nginx
 * compiles them into one list). In a location the block is also a pseudo-location whose
 * settings and content handler take over from here on (nginx switches {@code r->loc_conf}).
 */
final class IfStep implements RewriteStep {
    private final Condition condition;
    private final List<RewriteStep> inner;
    private Location location;

    IfStep(Condition condition, List<RewriteStep> inner) {
        this.condition = condition;
        this.inner = inner;
    }

    /** Set once the enclosing location's settings are merged (before the snapshot is published). */
    void location(Location l) {
        this.location = l;
    }

    @Override
    public Flow run(Exchange ex) {
        if (!condition.test(ex)) {
            return Flow.NEXT;
        }
        if (location != null) {
            ex.location(location);
        }
        for (RewriteStep s : inner) {
            Flow f = s.run(ex);
            if (f != Flow.NEXT) {
                return f;
            }
        }
        return Flow.NEXT;
    }
}
