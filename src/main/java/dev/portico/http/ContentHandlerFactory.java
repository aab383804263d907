package dev.portico.http;

import dev.portico.config.ConfigException;
import dev.portico.config.directive.Settings;
import dev.portico.core.BuildContext;

/**
 * Set by a content directive (e.g. {@code proxy_pass}) while reading; turned into the location's
 * handler once the location's settings are merged, so the handler sees inherited values.
 */
@FunctionalInterface
public interface ContentHandlerFactory {
    ContentHandler create(Settings merged, BuildContext build) throws ConfigException;
}
