package dev.portico.observability;

import dev.portico.http.Exchange;
import java.nio.file.Path;
import java.util.List;

/**
 * The log phase: once an exchange ends (response sent, or the client gone), each access log of
 * its final location gets a line, rendered here on the event loop (variables read the
 * exchange) and written by {@link AccessLogWriter} on its own thread.
 */
final class AccessLogPhase {
    private AccessLogPhase() {
    }

    static void log(Exchange ex) {
        if (ex.server() == null) {
            return;
        }
        List<AccessLog> logs = ex.settings().get(HttpLogModule.ACCESS_LOG);
        if (logs == null) {
            AccessLogConf conf = ex.snapshot().build().registry(AccessLogConf.class);
            if (conf == null) {
                return;
            }
            logs = conf.defaults();
        }
        // "access_log off" cancels every log of its level (nginx's "off" flag)
        for (int i = 0; i < logs.size(); i++) {
            if (logs.get(i).off()) {
                return;
            }
        }
        for (int i = 0; i < logs.size(); i++) {
            AccessLog log = logs.get(i);
            if (!log.wanted(ex)) {
                continue;
            }
            Path target = log.target(ex);
            if (target == null) {
                ErrorLog.of(ex).log(LogLevel.ERROR, ex.connection().id(),
                    "access log path \"" + log.pathTemplate().render(ex) + "\" refused: \"..\" or NUL in a path built from variables");
                continue;
            }
            AccessLogWriter.of(ex.snapshot().build().server()).submit(target, log.dynamic(), log.format().render(ex));
        }
    }
}
