package dev.portico.routing;

import dev.portico.http.Exchange;
import dev.portico.http.RewriteStep;
import dev.portico.variables.Template;
import dev.portico.variables.VariableSetter;

/** {@code set $variable value}: a request variable's slot, or a settable built-in such as {@code $args}. */
final class SetStep implements RewriteStep {
    private final VariableSetter target;
    private final Template value;

    SetStep(VariableSetter target, Template value) {
        this.target = target;
        this.value = value;
    }

    @Override
    public Flow run(Exchange ex) {
        target.set(ex, value.render(ex));
        return Flow.NEXT;
    }
}
