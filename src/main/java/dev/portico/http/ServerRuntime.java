package dev.portico.http;

import dev.portico.core.Snapshot;

/** What a connection asks of the running server: the snapshot in force and whether it is draining. */
public interface ServerRuntime {
    Snapshot snapshot();

    /** True once a graceful stop began: keep-alive ends after the current request. */
    boolean draining();
}
