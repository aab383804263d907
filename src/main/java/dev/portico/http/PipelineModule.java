package dev.portico.http;

import dev.portico.core.Module;

/** A module that takes part in request processing: phase handlers, response filters, the log phase. */
public interface PipelineModule extends Module {
    void contribute(RequestPipeline.Builder pipeline);
}
