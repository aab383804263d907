package dev.portico.testing;

import dev.portico.config.directive.Directive;
import dev.portico.http.Phase;
import dev.portico.http.PhaseHandler;
import dev.portico.http.PipelineModule;
import dev.portico.http.RequestPipeline;
import java.util.List;
import java.util.function.Consumer;

/**
 * A module for tests: adds handlers, log-phase listeners or filters to every location, with no
 * directive of its own. Given to {@link TestPortico.Builder#modules}.
 */
public final class ProbeModule implements PipelineModule {
    private final Consumer<RequestPipeline.Builder> contribution;

    private ProbeModule(Consumer<RequestPipeline.Builder> contribution) {
        this.contribution = contribution;
    }

    /** A handler in every location's {@code phase}. */
    public static ProbeModule handler(Phase phase, PhaseHandler h) {
        return new ProbeModule(b -> b.handler(phase, (settings, build) -> h));
    }

    /** Told of every exchange that ends (the log phase). */
    public static ProbeModule onEnd(RequestPipeline.EndListener l) {
        return new ProbeModule(b -> b.onEnd(l));
    }

    @Override
    public List<Directive> directives() {
        return List.of();
    }

    @Override
    public void contribute(RequestPipeline.Builder pipeline) {
        contribution.accept(pipeline);
    }
}
