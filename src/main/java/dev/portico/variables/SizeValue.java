package dev.portico.variables;

import dev.portico.config.ConfNode;
import dev.portico.config.ConfigException;
import dev.portico.config.directive.Values;
import dev.portico.http.Exchange;
import dev.portico.observability.ErrorLog;
import dev.portico.observability.LogLevel;

/**
 * A size written with or without variables ({@code limit_rate $rate;}), as nginx's complex
 * size values: a constant is parsed once when the configuration loads, so it costs a request
 * nothing; a template is rendered and parsed when a request needs the value.
 */
public final class SizeValue {
    public static final SizeValue ZERO = new SizeValue(0, null);

    private final long constant;
    private final Template template;

    private SizeValue(long constant, Template template) {
        this.constant = constant;
        this.template = template;
    }

    /** A directive's argument: with no "$" it must be a size now, as nginx checks it when reading. */
    public static SizeValue parse(ConfNode node, String arg, Variables variables) throws ConfigException {
        Template t;
        try {
            t = Template.compile(arg, variables);
        } catch (ConfigException e) {
            throw e.at(node);
        }
        return t.isConstant() ? new SizeValue(Values.size(node, arg), null) : new SizeValue(-1, t);
    }

    public boolean isConstant() {
        return template == null;
    }

    /** The size for this request; a rendered value that is not a size is logged and gives {@code fallback}. */
    public long get(Exchange ex, long fallback) {
        if (template == null) {
            return constant;
        }
        String v = template.render(ex);
        long n = Values.parseSize(v);
        if (n < 0) {
            ErrorLog.of(ex).log(LogLevel.ERROR, ex.connection().id(),
                "invalid size \"" + ErrorLog.escape(v) + "\"" + ErrorLog.context(ex));
            return fallback;
        }
        return n;
    }

    @Override
    public String toString() {
        return template == null ? Long.toString(constant) : template.source();
    }
}
