package dev.portico.routing;

import dev.portico.http.Exchange;
import dev.portico.http.RewriteStep;
import dev.portico.variables.Template;

/** {@code set $variable value}; {@code set $args} changes the request's arguments. */
final class SetStep implements RewriteStep {
    /** The index meaning "the request arguments" rather than a variable slot. */
    static final int ARGS = -1;

    private final int index;
    private final Template value;

    SetStep(int index, Template value) {
        this.index = index;
        this.value = value;
    }

    @Override
    public Flow run(Exchange ex) {
        String v = value.render(ex);
        if (index == ARGS) {
            ex.args(v);
        } else {
            ex.settableVariable(index, v);
        }
        return Flow.NEXT;
    }
}
