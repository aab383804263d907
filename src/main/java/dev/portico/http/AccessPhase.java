package dev.portico.http;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * nginx's access phase: checks that run after the location is final and before its content
 * handler ({@code allow}/{@code deny}, auth, limits). A check that answers the request returns
 * false. Registered once by the packages that own the directives.
 */
public final class AccessPhase {
    @FunctionalInterface
    public interface Check {
        /** @return true to go on; false when the check already answered (e.g. 403) */
        boolean check(Exchange ex);
    }

    private static final List<Check> CHECKS = new CopyOnWriteArrayList<>();

    private AccessPhase() {
    }

    public static void register(Check c) {
        CHECKS.add(c);
    }

    static boolean run(Exchange ex) {
        for (Check c : CHECKS) {
            if (!c.check(ex)) {
                return false;
            }
        }
        return true;
    }
}
