package dev.portico.routing;

import dev.portico.config.ConfNode;
import dev.portico.config.ConfigException;
import dev.portico.http.RegexSupport;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Compiles a regex of the configuration, failing with nginx's PCRE message located at the directive. */
final class RegexCompiler {
    private RegexCompiler() {
    }

    static Pattern compile(ConfNode node, String re, boolean caseless) throws ConfigException {
        try {
            return RegexSupport.compile(re, caseless);
        } catch (PatternSyntaxException e) {
            throw node.error(dev.portico.http.RegexSupport.compileError(e, re));
        }
    }
}
