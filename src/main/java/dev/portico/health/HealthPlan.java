package dev.portico.health;

import dev.portico.upstream.UpstreamGroup;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The checks one configuration asks for (a per-snapshot registry): match blocks, and health_check lines with their groups. */
final class HealthPlan {
    final Map<String, Match> matches = new LinkedHashMap<>();
    /** health_check lines waiting for their location's proxy_pass to be known. */
    final List<Object[]> pending = new ArrayList<>();
    /** Resolved checks: group, spec, match. */
    final List<GroupChecker> checkers = new ArrayList<>();

    void add(UpstreamGroup g, CheckSpec spec, Match m, dev.portico.proxy.ProxyModule.ProbeTls tls) {
        checkers.add(new GroupChecker(g, spec, m, tls));
    }
}
