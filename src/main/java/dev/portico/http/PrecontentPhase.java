package dev.portico.http;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * nginx's precontent phase ({@code try_files}): runs after the access phase and before the
 * location's content handler, whichever it is. A step that takes the exchange over returns true
 * and later either answers, redirects, or continues with {@link RequestProcessor#runContentHandler}.
 */
public final class PrecontentPhase {
    @FunctionalInterface
    public interface Step {
        /** @return true when the step took the exchange over (possibly finishing asynchronously) */
        boolean run(Exchange ex);
    }

    private static final List<Step> STEPS = new CopyOnWriteArrayList<>();

    private PrecontentPhase() {
    }

    public static void register(Step s) {
        STEPS.add(s);
    }

    static boolean run(Exchange ex) {
        for (Step s : STEPS) {
            if (s.run(ex)) {
                return true;
            }
        }
        return false;
    }
}
