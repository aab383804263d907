package dev.portico.http;

import java.util.ArrayList;
import java.util.List;

/** The rewrite-module statements of one level, in the order written (a level attachment). */
public final class RewriteSteps {
    private final List<RewriteStep> steps = new ArrayList<>();

    public void add(RewriteStep step) {
        steps.add(step);
    }

    public List<RewriteStep> list() {
        return List.copyOf(steps);
    }
}
